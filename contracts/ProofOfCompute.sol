// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAIJobManager} from "./interfaces/IAIJobManager.sol";

/// @title ProofOfCompute
/// @notice Questions results. A result (the output root of `/artha/out`, docs/runtime-contract.md) is
/// committed in the job manager and opens a challenge window; the requester may challenge with a bond, which
/// marks the job Disputed and blocks payout. A dispute that gets no verdict within `disputeTimeout` ends with
/// the no-quorum fallback: the requester is refunded, nobody is slashed and the challenger gets its bond back.
/// @dev Random audits and the verifier majority (commit-reveal re-execution) plug in at `challenge` and at the
/// dispute resolution; until then a dispute can only end by the fallback.
contract ProofOfCompute {
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

    /// @dev End of `(uint64 jobId, Job record)` in this contract's calldata: selector + 20 words.
    uint256 private constant RECORD_END = 4 + 20 * 32;

    mapping(uint64 jobId => Challenge) private _challenges;

    /// @notice `challenger` disputed the result with `bond`; without a verdict by `timeoutAt` the fallback applies.
    event Challenged(uint64 indexed jobId, address indexed challenger, uint256 bond, uint32 timeoutAt);
    /// @notice A dispute ended without a verdict: requester refunded, challenger's bond returned, no slash.
    event DisputeUnresolved(uint64 indexed jobId, address indexed challenger, uint256 bondReturned);

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

    /// @notice Challenges `jobId`'s result during its challenge window; pulls `challengeBond` from the caller.
    /// @param jobId A job in `ResultSubmitted` that the caller requested.
    /// @dev The second parameter is the job's current record; it is forwarded as raw calldata (`_forward`).
    function challenge(uint64 jobId, IAIJobManager.Job calldata) external {
        _forward(abi.encodePacked(IAIJobManager.onDisputed.selector, msg.data[4:RECORD_END], abi.encode(msg.sender)));
        _challenges[jobId] = Challenge(msg.sender, challengeBond, uint32(block.timestamp));
        token.safeTransferFrom(msg.sender, address(this), challengeBond);
        emit Challenged(jobId, msg.sender, challengeBond, uint32(block.timestamp + disputeTimeout));
    }

    /// @notice Applies the no-quorum fallback to a dispute older than `disputeTimeout`.
    /// @param jobId A disputed job.
    /// @dev The second parameter is the job's current record; it is forwarded as raw calldata (`_forward`).
    function resolveUnverified(uint64 jobId, IAIJobManager.Job calldata) external {
        Challenge memory c = _challenges[jobId];
        if (c.challenger == address(0)) revert NoChallenge(jobId);
        uint256 timeoutAt = uint256(c.openedAt) + disputeTimeout;
        if (block.timestamp < timeoutAt) revert DisputeStillOpen(jobId, timeoutAt, block.timestamp);
        delete _challenges[jobId];
        _forward(abi.encodePacked(IAIJobManager.onDisputeUnresolved.selector, msg.data[4:RECORD_END]));
        token.safeTransfer(c.challenger, c.bond);
        emit DisputeUnresolved(jobId, c.challenger, c.bond);
    }

    /// @notice The open challenge of `jobId` (zero challenger when none).
    function challengeOf(uint64 jobId) external view returns (Challenge memory) {
        return _challenges[jobId];
    }

    /// @dev Passes the caller's job id and record bytes on to the job manager as they came: re-encoding a
    /// typed record would validate it first, so a tampered one would revert without data instead of with the
    /// manager's StaleJobRecord. Reverts bubble up unchanged.
    function _forward(bytes memory data) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = address(jobs).call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
