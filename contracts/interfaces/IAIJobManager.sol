// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAIJobManager
/// @notice The job manager's surface used by the proof contract.
interface IAIJobManager {
    /// @notice Where a job is in its life. `Claimed` becomes "assigned" once the claim window closes.
    enum JobState {
        None,
        Open,
        Claimed,
        ResultSubmitted,
        Disputed,
        Finalized,
        Cancelled,
        Expired,
        Failed
    }

    enum JobKind {
        Train,
        Infer,
        Agent
    }

    /// @notice Called by the proof contract when `node` submits a result.
    /// @return challengeEnds Time until which the result can be challenged.
    function onResultSubmitted(uint64 jobId, address node) external returns (uint256 challengeEnds);

    /// @notice Called by the proof contract when a result is challenged.
    function onDisputed(uint64 jobId) external;

    /// @notice Called by the proof contract when a dispute ends without a verdict: refund, no slash.
    function onDisputeUnresolved(uint64 jobId) external;

    /// @notice What a challenge needs to know about `jobId`: its requester, state and challenge deadline.
    function challengeContext(uint64 jobId)
        external
        view
        returns (address requester, JobState state, uint256 challengeEnds);
}
