// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IAIJobManager} from "./interfaces/IAIJobManager.sol";
import {INodeRegistry} from "./interfaces/INodeRegistry.sol";
import {IProofOfCompute} from "./interfaces/IProofOfCompute.sol";
import {ISeedSource} from "./interfaces/ISeedSource.sol";

/// @title ProofOfCompute
/// @notice Questions results (docs/verification.md). A result fixes the job's output root. Before payout, a
/// random audit is drawn from the seed of a block `auditDelay` blocks after the result (`drawAudit`; a seed
/// no longer available counts as audited), and during the challenge window the requester or any active node
/// but the worker may challenge with a bond. Either opens a dispute: k verifiers drawn from the active nodes by
/// a seed that was unknown when the dispute opened re-run the job, commit, then reveal their result; the
/// majority of k decides. Upheld: the worker is paid, a challenger's bond goes to the worker. Not upheld: the
/// worker's bond is slashed to the requester, the challenger and the verifiers, the requester is refunded. The
/// majority's verifiers share the job's verification budget. A verifier that commits and does not reveal is
/// slashed (`slashAbsent`) and replaced in a new round; a dispute without a majority by `disputeTimeout`
/// ends with a refund and no slash (`resolveUnverified`).
/// The same commit-reveal may instead run off-chain: drawn verifiers exchange EIP-712 signed commitments, then
/// their reveals, and one transaction settles a round's k unanimous votes (`resolveSigned`); anything less
/// (a split vote, a silent verifier) takes the on-chain commit-reveal above.
/// @dev The job's `verification` byte: bits 0-6 are the audit rate override (0: `auditBps`; n in 1..101:
/// (n - 1) percent), bit 7 selects metric mode (verifiers judge a metric within the spec's tolerance and
/// reveal their verdict; otherwise the revealed output root must equal the worker's).
contract ProofOfCompute is IProofOfCompute, EIP712 {
    using SafeERC20 for IERC20;

    uint16 private constant BPS = 10_000;
    uint8 private constant METRIC_MODE = 0x80;
    uint8 private constant RATE_MASK = 0x7f;
    /// @dev End of `(uint64 jobId, Job record)` in this contract's calldata: selector + 20 words.
    uint256 private constant RECORD_END = 4 + 20 * 32;
    /// @dev What a verifier signs off-chain: its commitment for a round (see `resolveSigned`). The type string
    /// is EIP-712's, so it cannot be shortened.
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant BALLOT_TYPEHASH = keccak256("Ballot(uint64 jobId,uint8 round,bytes32 commitment)");

    /// @notice Verification parameters, fixed at deployment (docs/verification.md gives the defaults).
    struct Params {
        uint64 challengeBond;
        uint64 absentPenalty;
        uint32 disputeTimeout;
        uint32 commitWindow;
        uint32 revealWindow;
        uint16 auditBps;
        uint16 slashVerifiersBps;
        uint16 slashChallengerBps;
        uint8 auditDelay;
        uint8 verifiers;
        uint8 maxRounds;
    }

    /// @notice An open dispute (one slot). `commits` counts the round's live votes: revealed ones and
    /// commitments still to reveal.
    struct Dispute {
        address challenger;
        uint32 openedAt;
        uint32 commitEnd;
        uint8 round;
        uint8 commits;
        uint8 agree;
        uint8 disagree;
    }

    /// @notice Who may verify (one slot): the draw's seed, or while it is zero the block whose seed it waits for.
    struct Draw {
        address worker;
        uint32 seedBlock;
        uint64 seed;
    }

    enum VoteStatus {
        None,
        Committed,
        Agreed,
        Disagreed,
        Slashed
    }

    /// @notice A verifier's vote (one slot): its commitment is the top 240 bits of
    /// keccak256(abi.encode(jobId, verifier, result, agrees, salt)).
    struct Vote {
        VoteStatus status;
        uint8 round;
        bytes30 commitment;
    }

    /// @notice A drawn verifier's vote exchanged off-chain (`resolveSigned`): its reveal, and its EIP-712
    /// signature (compact, EIP-2098) of Ballot(jobId, round, keccak256(abi.encode(jobId, verifier, result,
    /// agrees, salt))), given before it saw any other verifier's reveal.
    struct SignedVote {
        uint256 index;
        bytes32 result;
        bool agrees;
        bytes32 salt;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice A challenge as the earlier interface showed it (see `challengeOf`).
    struct Challenge {
        address challenger;
        uint64 bond;
        uint32 openedAt;
    }

    IAIJobManager public immutable jobs;
    IERC20 public immutable token;
    INodeRegistry public immutable nodes;
    /// @notice Where draws get their randomness; zero: this chain's block hashes (the L1 default, with no call).
    ISeedSource public immutable seedSource;
    /// @notice Bond a challenger posts, in token units.
    uint64 public immutable challengeBond;
    /// @notice Stake taken from a verifier that commits and does not reveal, in token units.
    uint64 public immutable absentPenalty;
    /// @notice Seconds a dispute may take before the no-quorum fallback applies.
    uint32 public immutable disputeTimeout;
    /// @notice Seconds verifiers get to commit, on top of the job's `maxRuntime` for the re-run.
    uint32 public immutable commitWindow;
    /// @notice Seconds verifiers get to reveal after the commit phase.
    uint32 public immutable revealWindow;
    /// @notice Share of results audited, in basis points, unless the job overrides it.
    uint16 public immutable auditBps;
    /// @notice Share of a slashed worker bond that goes to the majority's verifiers, in basis points.
    uint16 public immutable slashVerifiersBps;
    /// @notice Share of a slashed worker bond that goes to a challenger proven right, in basis points.
    uint16 public immutable slashChallengerBps;
    /// @notice Blocks between the block a draw starts from and the block whose seed decides it.
    uint8 public immutable auditDelay;
    /// @notice Verifiers per dispute (k); the majority is k / 2 + 1.
    uint8 public immutable verifiers;
    /// @notice Rounds of verifier draws a dispute may hold (the first plus replacements).
    uint8 public immutable maxRounds;

    mapping(uint64 jobId => Dispute) private _disputes;
    mapping(uint64 jobId => Draw) private _draws;
    mapping(uint64 jobId => mapping(address verifier => Vote)) private _votes;
    /// @dev Jobs whose audit draw came out clear, one bit each.
    mapping(uint256 word => uint256) private _cleared;

    /// @notice `challenger` disputed the result with `bond`; without a verdict by `timeoutAt` the fallback applies.
    event Challenged(uint64 indexed jobId, address indexed challenger, uint256 bond, uint32 timeoutAt);
    /// @notice The audit of `jobId`'s result was drawn from block `seedBlock`'s seed.
    event AuditDrawn(uint64 indexed jobId, bool audited, uint256 seedBlock);
    /// @notice Round `round`'s verifiers are `verifierAt(jobId, round, i)` for i < 2k (distinct nodes, drawn
    /// without repeats), waiting for the seed of
    /// `seedBlock` while `seed` is zero; they commit by `commitEnd` and reveal by `commitEnd + revealWindow`.
    event VerifiersDrawn(uint64 indexed jobId, uint8 round, uint64 seed, uint256 seedBlock, uint32 commitEnd);
    /// @notice `verifier`, drawn at `index` of round `round`, committed its result.
    event Committed(uint64 indexed jobId, address indexed verifier, uint8 round, uint256 index);
    /// @notice `verifier` revealed `result`; `agrees` is whether it matches the worker's under the job's policy.
    event Revealed(uint64 indexed jobId, address indexed verifier, bytes32 result, bool agrees);
    /// @notice `verifier` committed and did not reveal in time; `amount` of its stake went to the requester.
    event VerifierSlashed(uint64 indexed jobId, address indexed verifier, uint256 amount);
    /// @notice The majority decided: `upheld` is whether the worker's result stands.
    event DisputeResolved(uint64 indexed jobId, bool upheld, address indexed challenger, uint8 agree, uint8 disagree);
    /// @notice A dispute ended without a verdict: requester refunded, challenger's bond returned, no slash.
    event DisputeUnresolved(uint64 indexed jobId, address indexed challenger, uint256 bondReturned);

    error InvalidParams();
    error NoChallenge(uint64 jobId);
    error DisputeStillOpen(uint64 jobId, uint256 timeoutAt, uint256 nowTs);
    error NotAChallenger(uint64 jobId, address caller);
    error StaleRecord(uint64 jobId);
    error NotAuditable(uint64 jobId, IAIJobManager.JobState state);
    error AuditAlreadyDrawn(uint64 jobId);
    error SeedNotReady(uint64 jobId, uint256 seedBlock, uint256 blockNumber);
    error SeedUnavailable(uint64 jobId, uint256 seedBlock);
    error CommitClosed(uint64 jobId, uint256 commitEnd, uint256 nowTs);
    error VerifiersComplete(uint64 jobId);
    error IndexOutOfRange(uint64 jobId, uint256 index, uint256 limit);
    error NotDrawn(uint64 jobId, address caller, uint8 round, uint256 index);
    error WorkerCannotVerify(uint64 jobId);
    error ChallengerCannotVerify(uint64 jobId);
    error AlreadyVoted(uint64 jobId, address verifier);
    error NothingToReveal(uint64 jobId, address verifier);
    error RevealNotOpen(uint64 jobId, uint256 opensAt, uint256 nowTs);
    error RevealClosed(uint64 jobId, uint256 closedAt, uint256 nowTs);
    error CommitmentMismatch(uint64 jobId, address verifier);
    error NoMajority(uint64 jobId, uint8 agree, uint8 disagree, uint256 needed);
    error MajorityReached(uint64 jobId, uint8 agree, uint8 disagree);
    error VotesPending(uint64 jobId, uint256 revealEnd, uint256 nowTs);
    error MajorityMismatch(uint64 jobId, uint256 given, uint256 expected);
    error NotInMajority(uint64 jobId, address verifier);
    error RoundNotOver(uint64 jobId, uint256 revealEnd, uint256 nowTs);
    error NoRoundsLeft(uint64 jobId, uint8 rounds);
    error NotAbsent(uint64 jobId, address verifier);
    error OnChainVotes(uint64 jobId, uint8 commits);
    error VoteCount(uint64 jobId, uint256 given, uint256 expected);
    error BadSignature(uint64 jobId, uint256 index, address expected);
    error DuplicateVerifier(uint64 jobId, address verifier);
    error NotUnanimous(uint64 jobId, uint256 index);

    /// @param jobs_ The job manager this contract verifies for.
    /// @param token_ Token challengers post bonds in (the deployment's token).
    /// @param nodes_ The node registry verifiers are drawn from (grants this contract JOBS_ROLE).
    /// @param seedSource_ Where draws get their randomness (zero: block hashes).
    /// @param p Verification parameters.
    constructor(IAIJobManager jobs_, IERC20 token_, INodeRegistry nodes_, ISeedSource seedSource_, Params memory p)
        EIP712("ArthaAIN ProofOfCompute", "1")
    {
        if (
            p.verifiers == 0 || p.verifiers > 32 || p.maxRounds == 0 || p.auditBps > BPS || p.auditDelay == 0
                || uint256(p.slashVerifiersBps) + p.slashChallengerBps > BPS
        ) revert InvalidParams();
        jobs = jobs_;
        token = token_;
        nodes = nodes_;
        seedSource = seedSource_;
        challengeBond = p.challengeBond;
        absentPenalty = p.absentPenalty;
        disputeTimeout = p.disputeTimeout;
        commitWindow = p.commitWindow;
        revealWindow = p.revealWindow;
        auditBps = p.auditBps;
        slashVerifiersBps = p.slashVerifiersBps;
        slashChallengerBps = p.slashChallengerBps;
        auditDelay = p.auditDelay;
        verifiers = p.verifiers;
        maxRounds = p.maxRounds;
    }

    // ------------------------------------------------------------------ opening

    /// @notice Challenges `jobId`'s result during its challenge window; pulls `challengeBond` from the caller.
    /// @param jobId A job in `ResultSubmitted`; the caller is its requester or an active node other than its worker.
    /// @param job The job's current record (forwarded to the job manager as raw calldata, see `_forward`).
    function challenge(uint64 jobId, IAIJobManager.Job calldata job) external {
        _forward(abi.encodePacked(IAIJobManager.onDisputed.selector, msg.data[4:RECORD_END], abi.encode(msg.sender)));
        if (msg.sender != job.requester && (msg.sender == job.claimer || !nodes.isActive(msg.sender))) {
            revert NotAChallenger(jobId, msg.sender);
        }
        uint32 commitEnd = _open(jobId, msg.sender, job, block.number + auditDelay, 0);
        token.safeTransferFrom(msg.sender, address(this), challengeBond);
        emit Challenged(jobId, msg.sender, challengeBond, uint32(block.timestamp + disputeTimeout));
        emit VerifiersDrawn(jobId, 1, 0, block.number + auditDelay, commitEnd);
    }

    /// @notice Draws `jobId`'s audit from the seed of the block `auditDelay` after its result. Clear: the job may
    /// be paid out. Audited (or the seed gone): a dispute opens, with verifiers drawn from that same seed.
    /// @param jobId A job in `ResultSubmitted` whose audit was not drawn yet.
    /// @param job The job's current record.
    function drawAudit(uint64 jobId, IAIJobManager.Job calldata job) external {
        if (!jobs.isCurrent(jobId, job)) revert StaleRecord(jobId);
        if (job.state != IAIJobManager.JobState.ResultSubmitted) revert NotAuditable(jobId, job.state);
        if (_isCleared(jobId)) revert AuditAlreadyDrawn(jobId);
        uint256 seedBlock = jobs.lastChangeBlock(jobId) + auditDelay;
        if (block.number <= seedBlock) revert SeedNotReady(jobId, seedBlock, block.number);
        (bool audited, bytes32 h) = _auditDraw(jobId, job.verification, seedBlock);
        emit AuditDrawn(jobId, audited, seedBlock);
        if (!audited) {
            _cleared[jobId >> 8] |= 1 << (jobId & 0xff);
            return;
        }
        _forward(abi.encodePacked(IAIJobManager.onDisputed.selector, msg.data[4:RECORD_END], abi.encode(address(0))));
        // Seed gone: the verifiers wait for a new one rather than use a hash anyone could have seen coming.
        uint256 verifierBlock = h == 0 ? block.number + auditDelay : seedBlock;
        uint64 seed = h == 0 ? 0 : _seed64(keccak256(abi.encode(h, jobId, "verifiers")));
        uint32 commitEnd = _open(jobId, address(0), job, verifierBlock, seed);
        emit VerifiersDrawn(jobId, 1, seed, verifierBlock, commitEnd);
    }

    // -------------------------------------------------------------- verifiers

    /// @notice Fixes the current round's verifier seed once its block's seed exists; when that seed is already
    /// gone, waits for a new block's instead. Commits fix it on their own while it is available.
    /// @param jobId A disputed job.
    function drawVerifiers(uint64 jobId) external {
        Dispute memory d = _dispute(jobId);
        Draw memory draw = _draws[jobId];
        if (draw.seed != 0) return;
        if (block.number <= draw.seedBlock) revert SeedNotReady(jobId, draw.seedBlock, block.number);
        bytes32 h = _seedOf(draw.seedBlock);
        if (h == 0) {
            draw.seedBlock = uint32(block.number + auditDelay);
            _draws[jobId] = draw;
        } else {
            draw.seed = _seed64(keccak256(abi.encode(h, jobId, d.round)));
            _draws[jobId].seed = draw.seed;
        }
        emit VerifiersDrawn(jobId, d.round, draw.seed, draw.seedBlock, d.commitEnd);
    }

    /// @notice Commits the caller's result as a verifier of `jobId`: it must be `verifierAt(jobId, round, index)`
    /// for this round, neither the worker nor the challenger (each has a stake in the verdict), and not have
    /// voted before; the first k to commit serve.
    /// @param jobId A disputed job.
    /// @param index The caller's place in this round's draw (< 2k).
    /// @param commitment keccak256(abi.encode(jobId, caller, result, agrees, salt)).
    function commit(uint64 jobId, uint256 index, bytes32 commitment) external {
        Dispute memory d = _dispute(jobId);
        if (block.timestamp >= d.commitEnd) revert CommitClosed(jobId, d.commitEnd, block.timestamp);
        if (d.commits >= verifiers) revert VerifiersComplete(jobId);
        if (index >= 2 * uint256(verifiers)) revert IndexOutOfRange(jobId, index, 2 * uint256(verifiers));
        Draw memory draw = _fixSeed(jobId, d.round);
        if (_candidate(draw.seed, d.round, index, nodes.activeCount()) != msg.sender) {
            revert NotDrawn(jobId, msg.sender, d.round, index);
        }
        if (msg.sender == draw.worker) revert WorkerCannotVerify(jobId);
        if (msg.sender == d.challenger) revert ChallengerCannotVerify(jobId);
        if (_votes[jobId][msg.sender].status != VoteStatus.None) revert AlreadyVoted(jobId, msg.sender);
        _votes[jobId][msg.sender] = Vote(VoteStatus.Committed, d.round, bytes30(commitment));
        _disputes[jobId].commits = d.commits + 1;
        emit Committed(jobId, msg.sender, d.round, index);
    }

    /// @notice Reveals the caller's committed result. Exact mode: it agrees when `result` is the worker's output
    /// root. Metric mode: `agrees` is the verifier's own verdict and `result` its metric (scaled to an integer).
    /// Opens when k verifiers committed or the commit phase ended; closes `revealWindow` after the commit phase.
    /// @param jobId A disputed job.
    /// @param job The job's current record.
    /// @param result The verifier's output root (exact) or metric value (metric mode).
    /// @param agrees The verifier's verdict (metric mode; committed but not used in exact mode).
    /// @param salt The commitment's salt.
    function reveal(uint64 jobId, IAIJobManager.Job calldata job, bytes32 result, bool agrees, bytes32 salt)
        external
    {
        Dispute memory d = _dispute(jobId);
        if (!jobs.isCurrent(jobId, job)) revert StaleRecord(jobId);
        Vote memory vote = _votes[jobId][msg.sender];
        if (vote.status != VoteStatus.Committed || vote.round != d.round) revert NothingToReveal(jobId, msg.sender);
        if (d.commits < verifiers && block.timestamp < d.commitEnd) {
            revert RevealNotOpen(jobId, d.commitEnd, block.timestamp);
        }
        uint256 revealEnd = uint256(d.commitEnd) + revealWindow;
        if (block.timestamp >= revealEnd) revert RevealClosed(jobId, revealEnd, block.timestamp);
        if (bytes30(keccak256(abi.encode(jobId, msg.sender, result, agrees, salt))) != vote.commitment) {
            revert CommitmentMismatch(jobId, msg.sender);
        }
        bool ok = job.verification & METRIC_MODE != 0 ? agrees : result == job.outputRoot;
        if (ok) ++d.agree;
        else ++d.disagree;
        _disputes[jobId] = d;
        _votes[jobId][msg.sender].status = ok ? VoteStatus.Agreed : VoteStatus.Disagreed;
        emit Revealed(jobId, msg.sender, result, ok);
    }

    /// @notice Starts a new round once the reveal phase ended without a majority: verifiers that revealed keep
    /// their votes, the others' places are drawn again from a new seed.
    /// @param jobId A disputed job.
    /// @param job The job's current record (its `maxRuntime` times the re-run).
    function nextRound(uint64 jobId, IAIJobManager.Job calldata job) external {
        Dispute memory d = _dispute(jobId);
        if (!jobs.isCurrent(jobId, job)) revert StaleRecord(jobId);
        uint256 revealEnd = uint256(d.commitEnd) + revealWindow;
        if (block.timestamp < revealEnd) revert RoundNotOver(jobId, revealEnd, block.timestamp);
        if (_hasMajority(d)) revert MajorityReached(jobId, d.agree, d.disagree);
        if (d.round >= maxRounds) revert NoRoundsLeft(jobId, d.round);
        d.round += 1;
        d.commits = d.agree + d.disagree;
        d.commitEnd = uint32(block.timestamp + job.maxRuntime + commitWindow);
        _disputes[jobId] = d;
        uint256 seedBlock = block.number + auditDelay;
        _draws[jobId] = Draw(job.claimer, uint32(seedBlock), 0);
        emit VerifiersDrawn(jobId, d.round, 0, seedBlock, d.commitEnd);
    }

    /// @notice Slashes `verifier`, which committed and did not reveal in its round, by `absentPenalty` of its
    /// stake (or what it has) to the requester.
    /// @param jobId The job.
    /// @param job The job's current record.
    /// @param verifier The absent verifier.
    function slashAbsent(uint64 jobId, IAIJobManager.Job calldata job, address verifier) external {
        if (!jobs.isCurrent(jobId, job)) revert StaleRecord(jobId);
        Vote memory vote = _votes[jobId][verifier];
        if (vote.status != VoteStatus.Committed) revert NotAbsent(jobId, verifier);
        Dispute memory d = _disputes[jobId];
        // Absent once its round is over: the dispute resolved, a later round began, or the reveal phase ended.
        uint256 revealEnd = uint256(d.commitEnd) + revealWindow;
        if (d.openedAt != 0 && vote.round == d.round && block.timestamp < revealEnd) {
            revert RoundNotOver(jobId, revealEnd, block.timestamp);
        }
        _votes[jobId][verifier].status = VoteStatus.Slashed;
        uint256 taken = nodes.slashStake(verifier, absentPenalty, job.requester);
        emit VerifierSlashed(jobId, verifier, taken);
    }

    // ------------------------------------------------------------- resolution

    /// @notice Applies the majority's verdict once every live vote is revealed or the reveal phase is over.
    /// @param jobId A disputed job.
    /// @param job The job's current record.
    /// @param majority The verifiers on the winning side, in increasing address order.
    function resolve(uint64 jobId, IAIJobManager.Job calldata job, address[] calldata majority) external {
        Dispute memory d = _dispute(jobId);
        if (!jobs.isCurrent(jobId, job)) revert StaleRecord(jobId);
        uint256 needed = uint256(verifiers) / 2 + 1;
        bool upheld = d.agree >= needed;
        if (!upheld && d.disagree < needed) revert NoMajority(jobId, d.agree, d.disagree, needed);
        uint256 revealEnd = uint256(d.commitEnd) + revealWindow;
        if (d.agree + d.disagree < d.commits && block.timestamp < revealEnd) {
            revert VotesPending(jobId, revealEnd, block.timestamp);
        }
        uint256 count = upheld ? d.agree : d.disagree;
        if (majority.length != count) revert MajorityMismatch(jobId, majority.length, count);
        VoteStatus side = upheld ? VoteStatus.Agreed : VoteStatus.Disagreed;
        address previous;
        for (uint256 i; i < count; ++i) {
            address v = majority[i];
            if (v <= previous || _votes[jobId][v].status != side) revert NotInMajority(jobId, v);
            previous = v;
        }
        _settle(jobId, job, upheld, d, majority);
    }

    /// @notice Settles the current round with k votes its drawn verifiers exchanged off-chain, in one
    /// transaction instead of k commits and k reveals: each vote is a reveal with the verifier's signature of its
    /// commitment. The votes must be unanimous, so whoever submits cannot pick a verdict out of a split draw (a
    /// split, or a verifier that will not sign, goes on-chain); the round must have no on-chain vote yet.
    /// Honest verifiers release their reveal only once they hold k signed commitments, so none can copy another.
    /// @param jobId A disputed job.
    /// @param job The job's current record.
    /// @param votes k votes of distinct verifiers drawn in the current round, by `SignedVote.index`.
    function resolveSigned(uint64 jobId, IAIJobManager.Job calldata job, SignedVote[] calldata votes) external {
        Dispute memory d = _dispute(jobId);
        if (!jobs.isCurrent(jobId, job)) revert StaleRecord(jobId);
        if (d.commits != 0) revert OnChainVotes(jobId, d.commits);
        uint256 k = verifiers;
        if (votes.length != k) revert VoteCount(jobId, votes.length, k);
        Draw memory draw = _fixSeed(jobId, d.round);
        uint256 active = nodes.activeCount();
        bool metric = job.verification & METRIC_MODE != 0;
        address[] memory majority = new address[](k);
        bool upheld;
        for (uint256 i; i < k; ++i) {
            SignedVote calldata vote = votes[i];
            if (vote.index >= 2 * k) revert IndexOutOfRange(jobId, vote.index, 2 * k);
            address v = _candidate(draw.seed, d.round, vote.index, active);
            // Nobody at that place: checked here, as a failed signature recovery also gives zero.
            if (v == address(0)) revert NotDrawn(jobId, address(0), d.round, vote.index);
            if (v == draw.worker) revert WorkerCannotVerify(jobId);
            if (v == d.challenger) revert ChallengerCannotVerify(jobId);
            for (uint256 j; j < i; ++j) {
                if (majority[j] == v) revert DuplicateVerifier(jobId, v);
            }
            bytes32 commitment = keccak256(abi.encode(jobId, v, vote.result, vote.agrees, vote.salt));
            bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(BALLOT_TYPEHASH, jobId, d.round, commitment)));
            (address signer,,) = ECDSA.tryRecover(digest, vote.r, vote.vs);
            if (signer != v) revert BadSignature(jobId, vote.index, v);
            bool ok = metric ? vote.agrees : vote.result == job.outputRoot;
            if (i == 0) upheld = ok;
            else if (ok != upheld) revert NotUnanimous(jobId, vote.index);
            majority[i] = v;
            emit Revealed(jobId, v, vote.result, ok);
        }
        if (upheld) d.agree = uint8(k);
        else d.disagree = uint8(k);
        _settle(jobId, job, upheld, d, majority);
    }

    /// @notice Applies the no-quorum fallback to a dispute older than `disputeTimeout` that has no majority:
    /// the requester is refunded, nobody is slashed, a challenger gets its bond back. While a commitment of the
    /// current round may still be revealed it waits for the reveal phase to end (closing the dispute earlier
    /// would make verifiers that could not reveal yet slashable as absent).
    /// @param jobId A disputed job.
    /// @dev The second parameter is the job's current record; it is forwarded as raw calldata (`_forward`).
    function resolveUnverified(uint64 jobId, IAIJobManager.Job calldata) external {
        Dispute memory d = _disputes[jobId];
        if (d.openedAt == 0) revert NoChallenge(jobId);
        uint256 timeoutAt = uint256(d.openedAt) + disputeTimeout;
        if (block.timestamp < timeoutAt) revert DisputeStillOpen(jobId, timeoutAt, block.timestamp);
        if (_hasMajority(d)) revert MajorityReached(jobId, d.agree, d.disagree);
        uint256 revealEnd = uint256(d.commitEnd) + revealWindow;
        if (d.agree + d.disagree < d.commits && block.timestamp < revealEnd) {
            revert VotesPending(jobId, revealEnd, block.timestamp);
        }
        delete _disputes[jobId];
        delete _draws[jobId];
        _forward(abi.encodePacked(IAIJobManager.onDisputeUnresolved.selector, msg.data[4:RECORD_END]));
        uint256 bond = d.challenger == address(0) ? 0 : challengeBond;
        if (bond != 0) token.safeTransfer(d.challenger, bond);
        emit DisputeUnresolved(jobId, d.challenger, bond);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IProofOfCompute
    function auditDue(uint64 jobId, uint8 verification, uint256 resultBlock) external view returns (bool) {
        if (_rate(verification) == 0) return false;
        uint256 seedBlock = resultBlock + auditDelay;
        if (block.number <= seedBlock) return true;
        (bool audited, bytes32 h) = _auditDraw(jobId, verification, seedBlock);
        // While the seed exists the draw is the same for everyone; once gone, only a recorded clear draw counts.
        return h == 0 ? !_isCleared(jobId) : audited;
    }

    /// @notice The verifier drawn at `index` of `round` of `jobId`'s dispute: the places are a seeded shuffle of
    /// the active set, so distinct places name distinct nodes (zero while the seed is not fixed, and at places
    /// past the end of the active set).
    function verifierAt(uint64 jobId, uint8 round, uint256 index) external view returns (address) {
        uint64 seed = _draws[jobId].seed;
        return seed == 0 ? address(0) : _candidate(seed, round, index, nodes.activeCount());
    }

    /// @notice `jobId`'s open dispute (zero `openedAt` when none) and its draw.
    function disputeOf(uint64 jobId) external view returns (Dispute memory, Draw memory) {
        return (_disputes[jobId], _draws[jobId]);
    }

    /// @notice `verifier`'s vote on `jobId`.
    function voteOf(uint64 jobId, address verifier) external view returns (Vote memory) {
        return _votes[jobId][verifier];
    }

    /// @notice The open challenge of `jobId` (zero challenger when none, or when the dispute is an audit).
    function challengeOf(uint64 jobId) external view returns (Challenge memory) {
        Dispute memory d = _disputes[jobId];
        return Challenge(d.challenger, d.challenger == address(0) ? 0 : challengeBond, d.openedAt);
    }

    /// @notice The audit rate that applies to a job with policy byte `verification`, in basis points.
    function auditRateOf(uint8 verification) external view returns (uint256) {
        return _rate(verification);
    }

    // ---------------------------------------------------------------- private

    function _open(uint64 jobId, address challenger, IAIJobManager.Job calldata job, uint256 seedBlock, uint64 seed)
        private
        returns (uint32 commitEnd)
    {
        commitEnd = uint32(block.timestamp + job.maxRuntime + commitWindow);
        _disputes[jobId] = Dispute(challenger, uint32(block.timestamp), commitEnd, 1, 0, 0, 0);
        _draws[jobId] = Draw(job.claimer, uint32(seedBlock), seed);
    }

    function _dispute(uint64 jobId) private view returns (Dispute memory d) {
        d = _disputes[jobId];
        if (d.openedAt == 0) revert NoChallenge(jobId);
    }

    /// @dev The round's draw, its seed fixed from the seed source on first use.
    function _fixSeed(uint64 jobId, uint8 round) private returns (Draw memory draw) {
        draw = _draws[jobId];
        if (draw.seed != 0) return draw;
        if (block.number <= draw.seedBlock) revert SeedNotReady(jobId, draw.seedBlock, block.number);
        bytes32 h = _seedOf(draw.seedBlock);
        if (h == 0) revert SeedUnavailable(jobId, draw.seedBlock);
        draw.seed = _seed64(keccak256(abi.encode(h, jobId, round)));
        _draws[jobId].seed = draw.seed;
    }

    function _seedOf(uint256 blockNumber) private view returns (bytes32) {
        return address(seedSource) == address(0) ? blockhash(blockNumber) : seedSource.seedOf(blockNumber);
    }

    /// @dev The node at place `index` of a round's draw; zero past the end of the active set. `active` is
    /// `nodes.activeCount()`, passed in so a caller drawing several places reads it once.
    function _candidate(uint64 seed, uint8 round, uint256 index, uint256 active) private view returns (address) {
        if (index >= active) return address(0);
        return nodes.activeAt(_shuffled(seed, round, index, active));
    }

    /// @dev The active-set position at place `index` (< `active`) of a seeded partial Fisher-Yates shuffle, so a
    /// round's places name distinct nodes: place i swaps slot i with slot i + keccak256(seed, round, i) mod
    /// (active - i) and takes what that slot held. Only the slots swapped so far hold another position than their
    /// own; `slots` and `held` record them, a later record overriding an earlier one.
    function _shuffled(uint64 seed, uint8 round, uint256 index, uint256 active) private pure returns (uint256) {
        uint256[] memory slots = new uint256[](index);
        uint256[] memory held = new uint256[](index);
        for (uint256 i;; ++i) {
            uint256 j = i + uint256(keccak256(abi.encode(seed, round, i))) % (active - i);
            uint256 atJ = _slotHolds(slots, held, i, j);
            if (i == index) return atJ;
            held[i] = _slotHolds(slots, held, i, i);
            slots[i] = j;
        }
    }

    /// @dev What slot `slot` holds after the first `swaps` records of `_shuffled`.
    function _slotHolds(uint256[] memory slots, uint256[] memory held, uint256 swaps, uint256 slot)
        private
        pure
        returns (uint256)
    {
        for (uint256 m = swaps; m != 0; --m) {
            if (slots[m - 1] == slot) return held[m - 1];
        }
        return slot;
    }

    function _auditDraw(uint64 jobId, uint8 verification, uint256 seedBlock)
        private
        view
        returns (bool audited, bytes32 h)
    {
        uint256 rate = _rate(verification);
        if (rate == 0) return (false, 0);
        h = _seedOf(seedBlock);
        audited = h == 0 || uint256(keccak256(abi.encode(h, jobId))) % BPS < rate;
    }

    function _rate(uint8 verification) private view returns (uint256) {
        uint256 n = verification & RATE_MASK;
        if (n == 0) return auditBps;
        return n > 101 ? BPS : (n - 1) * 100;
    }

    function _isCleared(uint64 jobId) private view returns (bool) {
        return _cleared[jobId >> 8] & (1 << (jobId & 0xff)) != 0;
    }

    function _hasMajority(Dispute memory d) private view returns (bool) {
        uint256 needed = uint256(verifiers) / 2 + 1;
        return d.agree >= needed || d.disagree >= needed;
    }

    /// @dev Nonzero: zero marks a seed not fixed yet.
    function _seed64(bytes32 h) private pure returns (uint64 s) {
        s = uint64(uint256(h));
        if (s == 0) s = 1;
    }

    /// @dev Ends the dispute with the verdict: the job manager pays out, the challenger's bond goes back to a
    /// challenger proven right, to the worker otherwise.
    function _settle(
        uint64 jobId,
        IAIJobManager.Job calldata job,
        bool upheld,
        Dispute memory d,
        address[] memory majority
    ) private {
        delete _disputes[jobId];
        delete _draws[jobId];
        (address[] memory payees, uint256[] memory amounts) = _payouts(job, upheld, d.challenger, majority);
        jobs.onVerdict(jobId, job, upheld, payees, amounts);
        if (d.challenger != address(0)) token.safeTransfer(upheld ? job.claimer : d.challenger, challengeBond);
        emit DisputeResolved(jobId, upheld, d.challenger, d.agree, d.disagree);
    }

    /// @dev Who gets the escrow (and a slashed bond): the majority's verifiers share the verification budget
    /// (an equal fee per place, k places); upheld, the worker gets its price; not upheld, the bond is split
    /// between the verifiers, a challenger and the requester. The requester gets the rest, always last.
    function _payouts(IAIJobManager.Job calldata job, bool upheld, address challenger, address[] memory majority)
        private
        view
        returns (address[] memory payees, uint256[] memory amounts)
    {
        uint256 n = majority.length;
        bool paysChallenger = !upheld && challenger != address(0);
        payees = new address[](n + (upheld || paysChallenger ? 2 : 1));
        amounts = new uint256[](payees.length);
        uint256 each = jobs.verificationBudget(job.maxPrice) / verifiers;
        uint256 rest = job.maxPrice;
        if (!upheld) {
            uint256 bond = jobs.bondOf(job.price);
            rest += bond;
            if (n != 0) each += bond * slashVerifiersBps / BPS / n;
        }
        for (uint256 i; i < n; ++i) {
            payees[i] = majority[i];
            amounts[i] = each;
        }
        rest -= each * n;
        if (upheld) {
            payees[n] = job.claimer;
            amounts[n] = job.price;
            rest -= job.price;
        } else if (paysChallenger) {
            uint256 share = jobs.bondOf(job.price) * slashChallengerBps / BPS;
            payees[n] = challenger;
            amounts[n] = share;
            rest -= share;
        }
        payees[payees.length - 1] = job.requester;
        amounts[amounts.length - 1] = rest;
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
