// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MockToken
/// @notice Devnet payment and stake token: 6 decimals like a stablecoin, ERC-2612 permit, open mint.
/// @dev Never deploy outside a devnet: anyone can mint.
contract MockToken is ERC20Permit {
    constructor() ERC20("Artha Test USD", "aUSD") ERC20Permit("Artha Test USD") {}

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` to `to`; devnet faucet.
    /// @param to Receiver of the new tokens.
    /// @param amount Amount in the token's smallest unit.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
