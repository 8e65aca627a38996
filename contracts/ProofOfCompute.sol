// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAIJobManager} from "./interfaces/IAIJobManager.sol";
import {IProofOfCompute} from "./interfaces/IProofOfCompute.sol";

/// @title ProofOfCompute
/// @notice Optimistic verification of job results. The assigned node commits its result (the output root of
/// `/artha/out`, see docs/runtime-contract.md); a challenge window opens; the requester may challenge with a
/// bond, which marks the job Disputed and blocks payout. A dispute that gets no verdict within
/// `disputeTimeout` ends with the no-quorum fallback: the requester is refunded, nobody is slashed and the
/// challenger gets its bond back.
/// @dev Random audits and the verifier majority (commit-reveal re-execution) plug in at `challenge` and at
/// the dispute resolution; until then a dispute can only end by the fallback.
contract ProofOfCompute is IProofOfCompute {
    using SafeERC20 for IERC20;

    /// @notice A challenge as stored (one slot).
    struct Challenge {
        address challenger;
        uint64 bond;
        uint32 openedAt;
    }

    IAIJobManager public immutable jobs;
    IERC20 public immutable token;
    /// @notice Bond a challenger posts, in token units.
    uint64 public immutable challengeBond;
    /// @notice Seconds a dispute may stay open before the no-quorum fallback can be applied.
    uint32 public immutable disputeTimeout;

    mapping(uint64 jobId => bytes32) private _outputRoots;
    mapping(uint64 jobId => Challenge) private _challenges;

    /// @notice The assigned node committed its result; it can be challenged until `challengeEnds`.
    event ResultSubmitted(
        uint64 indexed jobId,
        address indexed node,
        bytes32 outputRoot,
        bytes32 metricsHash,
        string outputUri,
        uint32 challengeEnds
    );
    /// @notice `challenger` disputed the result with `bond`; without a verdict by `timeoutAt` the fallback applies.
    event Challenged(uint64 indexed jobId, address indexed challenger, uint256 bond, uint32 timeoutAt);
    /// @notice A dispute ended without a verdict: requester refunded, challenger's bond returned, no slash.
    event DisputeUnresolved(uint64 indexed jobId, address indexed challenger, uint256 bondReturned);

    error ZeroOutputRoot();
    error EmptyOutputUri();
    error NotRequester(uint64 jobId, address caller);
    error NotChallengeable(uint64 jobId, IAIJobManager.JobState state);
    error ChallengeWindowClosed(uint64 jobId, uint256 closedAt, uint256 nowTs);
    error NoChallenge(uint64 jobId);
    error DisputeStillOpen(uint64 jobId, uint256 timeoutAt, uint256 nowTs);

    /// @param jobs_ The job manager this contract verifies for.
    /// @param token_ Token challengers post bonds in (the deployment's token).
    /// @param challengeBond_ Challenger bond in token units.
    /// @param disputeTimeout_ Seconds before an unresolved dispute falls back to a refund.
    constructor(IAIJobManager jobs_, IERC20 token_, uint64 challengeBond_, uint32 disputeTimeout_) {
        jobs = jobs_;
        token = token_;
        challengeBond = challengeBond_;
        disputeTimeout = disputeTimeout_;
    }

    /// @notice Commits the caller's result for `jobId`. Only the assigned node, after the claim window and
    /// by the job's deadline.
    /// @param jobId The job.
    /// @param outputRoot sha256 over the canonical manifest of the job's outputs.
    /// @param metricsHash sha256 of the job's result.json (metrics), for audits by metric.
    /// @param outputUri Where the outputs can be fetched.
    function submitResult(uint64 jobId, bytes32 outputRoot, bytes32 metricsHash, string calldata outputUri)
        external
    {
        if (outputRoot == bytes32(0)) revert ZeroOutputRoot();
        if (bytes(outputUri).length == 0) revert EmptyOutputUri();
        uint256 challengeEnds = jobs.onResultSubmitted(jobId, msg.sender);
        _outputRoots[jobId] = outputRoot;
        emit ResultSubmitted(jobId, msg.sender, outputRoot, metricsHash, outputUri, uint32(challengeEnds));
    }

    /// @notice Challenges `jobId`'s result during its challenge window; pulls `challengeBond` from the caller.
    /// @param jobId A job in `ResultSubmitted` that the caller requested.
    function challenge(uint64 jobId) external {
        (address requester, IAIJobManager.JobState state, uint256 closesAt) = jobs.challengeContext(jobId);
        if (msg.sender != requester) revert NotRequester(jobId, msg.sender);
        if (state != IAIJobManager.JobState.ResultSubmitted) revert NotChallengeable(jobId, state);
        if (block.timestamp >= closesAt) revert ChallengeWindowClosed(jobId, closesAt, block.timestamp);
        _challenges[jobId] = Challenge(msg.sender, challengeBond, uint32(block.timestamp));
        token.safeTransferFrom(msg.sender, address(this), challengeBond);
        jobs.onDisputed(jobId);
        emit Challenged(jobId, msg.sender, challengeBond, uint32(block.timestamp + disputeTimeout));
    }

    /// @notice Applies the no-quorum fallback to a dispute older than `disputeTimeout`.
    /// @param jobId A disputed job.
    function resolveUnverified(uint64 jobId) external {
        Challenge memory c = _challenges[jobId];
        if (c.challenger == address(0)) revert NoChallenge(jobId);
        uint256 timeoutAt = uint256(c.openedAt) + disputeTimeout;
        if (block.timestamp < timeoutAt) revert DisputeStillOpen(jobId, timeoutAt, block.timestamp);
        delete _challenges[jobId];
        jobs.onDisputeUnresolved(jobId);
        token.safeTransfer(c.challenger, c.bond);
        emit DisputeUnresolved(jobId, c.challenger, c.bond);
    }

    /// @inheritdoc IProofOfCompute
    function outputRootOf(uint64 jobId) external view returns (bytes32) {
        return _outputRoots[jobId];
    }

    /// @notice The open challenge of `jobId` (zero challenger when none).
    function challengeOf(uint64 jobId) external view returns (Challenge memory) {
        return _challenges[jobId];
    }
}
