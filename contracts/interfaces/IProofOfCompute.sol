// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProofOfCompute
/// @notice What the job manager reads from the proof contract.
interface IProofOfCompute {
    /// @notice The output root the worker committed for `jobId` (zero when none).
    function outputRootOf(uint64 jobId) external view returns (bytes32);
}
