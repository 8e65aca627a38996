// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProofOfCompute
/// @notice What the job manager asks the proof contract before paying a result out.
interface IProofOfCompute {
    /// @notice Whether the random audit holds `jobId`'s payout: drawn for an audit, not drawable yet, or its seed
    /// gone before anyone drew it. `verification` is the job's policy byte, `resultBlock` its result's block.
    function auditDue(uint64 jobId, uint8 verification, uint256 resultBlock) external view returns (bool);
}
