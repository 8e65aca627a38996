// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "./Vm.sol";

/// @title Test
/// @notice Minimal Foundry-style test base: the cheatcode handle, assertions that revert with a readable
/// message (a reverting test fails), and `bound` for fuzz inputs.
abstract contract Test {
    /// @dev The standard cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    // ------------------------------------------------------------------ failures

    function fail(string memory message) internal pure {
        revert(string.concat("assertion failed: ", message));
    }

    function _failPair(string memory kind, string memory message, string memory a, string memory b)
        private
        pure
    {
        revert(string.concat(kind, " failed: ", message, ": left=", a, " right=", b));
    }

    // ------------------------------------------------------------------ booleans

    function assertTrue(bool condition) internal pure {
        assertTrue(condition, "expected true");
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) fail(message);
    }

    function assertFalse(bool condition) internal pure {
        assertFalse(condition, "expected false");
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) fail(message);
    }

    // ------------------------------------------------------------------ equality

    function assertEq(uint256 a, uint256 b) internal pure {
        assertEq(a, b, "uint");
    }

    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) _failPair("assertEq", message, vm.toString(a), vm.toString(b));
    }

    function assertEq(int256 a, int256 b, string memory message) internal pure {
        if (a != b) _failPair("assertEq", message, vm.toString(a), vm.toString(b));
    }

    function assertEq(address a, address b) internal pure {
        assertEq(a, b, "address");
    }

    function assertEq(address a, address b, string memory message) internal pure {
        if (a != b) _failPair("assertEq", message, vm.toString(a), vm.toString(b));
    }

    function assertEq(bytes32 a, bytes32 b) internal pure {
        assertEq(a, b, "bytes32");
    }

    function assertEq(bytes32 a, bytes32 b, string memory message) internal pure {
        if (a != b) _failPair("assertEq", message, vm.toString(a), vm.toString(b));
    }

    function assertEq(bool a, bool b, string memory message) internal pure {
        if (a != b) _failPair("assertEq", message, vm.toString(a), vm.toString(b));
    }

    function assertEq(bytes memory a, bytes memory b) internal pure {
        assertEq(a, b, "bytes");
    }

    function assertEq(bytes memory a, bytes memory b, string memory message) internal pure {
        if (keccak256(a) != keccak256(b)) _failPair("assertEq", message, vm.toString(a), vm.toString(b));
    }

    function assertEq(string memory a, string memory b, string memory message) internal pure {
        if (keccak256(bytes(a)) != keccak256(bytes(b))) _failPair("assertEq", message, a, b);
    }

    function assertNotEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a == b) _failPair("assertNotEq", message, vm.toString(a), vm.toString(b));
    }

    // ---------------------------------------------------------------- comparisons

    function assertLt(uint256 a, uint256 b, string memory message) internal pure {
        if (a >= b) _failPair("assertLt", message, vm.toString(a), vm.toString(b));
    }

    function assertLe(uint256 a, uint256 b, string memory message) internal pure {
        if (a > b) _failPair("assertLe", message, vm.toString(a), vm.toString(b));
    }

    function assertGt(uint256 a, uint256 b, string memory message) internal pure {
        if (a <= b) _failPair("assertGt", message, vm.toString(a), vm.toString(b));
    }

    function assertGe(uint256 a, uint256 b, string memory message) internal pure {
        if (a < b) _failPair("assertGe", message, vm.toString(a), vm.toString(b));
    }

    // ---------------------------------------------------------------------- fuzz

    /// @notice Maps `x` into [min, max]; values already inside stay unchanged (keeps the fuzzer's edge cases).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) fail("bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    /// @notice The chain's current time. Prefer this to `block.timestamp` in tests: with via-IR the optimizer
    /// may reuse a timestamp read from before a `vm.warp` in the same function.
    function _now() internal view returns (uint256) {
        return vm.getBlockTimestamp();
    }
}
