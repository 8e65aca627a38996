// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAIJobManager
/// @notice Job types and the job manager's surface used by the proof contract.
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

    /// @notice A job's whole state. The contract stores only its hash (with the block of its last change);
    /// every call that acts on a job takes the current record, and every event that changes a job emits
    /// the new one, so readers keep it from events (see `recordOf`).
    struct Job {
        address requester;
        uint96 maxPrice;
        JobState state;
        JobKind kind;
        uint8 verification;
        uint8 attempts;
        uint8 gpuCount;
        uint8 minCertLevel;
        uint16 minVramGb;
        uint8 dependencyCount;
        uint32 bidWindow;
        uint32 bidEnd;
        uint32 maxRuntime;
        uint32 resultAt;
        uint32 modelId;
        uint32 datasetId;
        address claimer;
        uint96 price;
        bytes32 outputRoot;
    }

    /// @notice Called by the proof contract when a job's result is disputed: by `challenger` within the
    /// challenge window, or by a random audit (`challenger` zero) at any time before payout.
    function onDisputed(uint64 jobId, Job calldata job, address challenger) external;

    /// @notice Called by the proof contract when a dispute ends without a verdict: refund, no slash.
    function onDisputeUnresolved(uint64 jobId, Job calldata job) external;

    /// @notice Called by the proof contract with the verifiers' verdict. Upheld: the worker's bond is released
    /// and the job is Finalized. Not upheld: the worker's bond is slashed into this contract and the job
    /// Failed. Either way `amounts` are credited to `payees`; they add up to the job's escrow plus the slash.
    function onVerdict(
        uint64 jobId,
        Job calldata job,
        bool upheld,
        address[] calldata payees,
        uint256[] calldata amounts
    ) external;

    /// @notice Whether `job` is `jobId`'s current record.
    function isCurrent(uint64 jobId, Job calldata job) external view returns (bool);

    /// @notice The block of `jobId`'s last change (for a job in ResultSubmitted: its result's block).
    function lastChangeBlock(uint64 jobId) external view returns (uint256);

    /// @notice The part of a job's escrow reserved to pay its verifiers (claims are capped below it).
    function verificationBudget(uint96 maxPrice) external view returns (uint256);

    /// @notice The bond a claim at `price` locks from the node's stake.
    function bondOf(uint96 price) external view returns (uint256);
}
