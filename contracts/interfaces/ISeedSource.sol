// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ISeedSource
/// @notice Randomness for audit draws and verifier selection: a value of a block that nobody could know before
/// the block existed. L1 deployments use the block hash (`BlockhashSeed`); an L2, whose sequencer picks block
/// hashes, plugs in a VRF-backed source with the same interface.
interface ISeedSource {
    /// @notice The seed of block `blockNumber` (a past block), or zero when it is no longer (or not yet)
    /// available.
    function seedOf(uint256 blockNumber) external view returns (bytes32);
}
