// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISeedSource} from "../../interfaces/ISeedSource.sol";

/// @notice A seed source whose seeds a test sets: stands in for an L2's VRF behind the same interface.
contract SettableSeed is ISeedSource {
    mapping(uint256 blockNumber => bytes32) private _seeds;

    function set(uint256 blockNumber, bytes32 seed) external {
        _seeds[blockNumber] = seed;
    }

    /// @inheritdoc ISeedSource
    function seedOf(uint256 blockNumber) external view returns (bytes32) {
        return _seeds[blockNumber];
    }
}
