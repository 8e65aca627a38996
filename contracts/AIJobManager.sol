// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAIJobManager} from "./interfaces/IAIJobManager.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {INodeRegistry} from "./interfaces/INodeRegistry.sol";
import {IProofOfCompute} from "./interfaces/IProofOfCompute.sol";

/// @title AIJobManager
/// @notice Requesters submit ML jobs with an escrowed budget; nodes bid off-chain over gossip and claim
/// on-chain in a reverse auction: after the bid window, during the claim window, a strictly lower claim
/// replaces a higher one, and when the claim window closes the lowest claimer is assigned (no transaction
/// needed: "assigned" is `Claimed` past `claimEnd`). The assigned node submits its result (the output root of
/// its outputs); after the challenge window anyone finalizes: the node is paid its price, the requester gets
/// the rest. ProofOfCompute owns everything that questions a result (challenges, audits, verifiers).
/// @dev Each job is one storage slot: the hash of its `Job` record (top 216 bits) and the number of the block
/// that last changed it (low 40 bits). Calls take the current record as calldata and are checked against the
/// hash; events emit the new record, and `lastChangeBlock` tells a reader which block's logs hold it. This
/// keeps a whole job at one created slot (vs four as plain storage), the difference between ~225k and ~290k
/// gas for a job's life. Payouts are pull balances (`withdraw`): cheaper than transfers, and no recipient can
/// block a settlement. Token conservation: this contract holds exactly the escrows of jobs not yet settled
/// plus the sum of `balanceOf`.
contract AIJobManager is IAIJobManager {
    using SafeERC20 for IERC20;

    uint16 private constant BPS = 10_000;
    uint256 private constant BLOCK_BITS = 40;
    uint256 private constant BLOCK_MASK = (1 << BLOCK_BITS) - 1;
    /// @dev A `Job` has only static fields: in calldata and in memory it is already its ABI encoding.
    uint256 private constant JOB_SIZE = 19 * 32;
    /// @dev Keeps `bidEnd` (uint32 seconds) far from wrapping: at most ~194 days.
    uint32 private constant MAX_BID_WINDOW = type(uint24).max;

    /// @notice Protocol parameters, fixed at deployment (see docs/contracts.md for defaults).
    struct Params {
        uint32 claimWindow;
        uint32 challengeWindow;
        uint32 minBidWindow;
        uint32 maxBidWindow;
        uint32 maxRuntimeLimit;
        uint16 bondBps;
        uint16 cancelFeeBps;
        uint16 verificationBudgetBps;
        uint8 maxAttempts;
        uint8 maxDependencies;
    }

    /// @notice What a requester submits.
    // solhint-disable-next-line gas-struct-packing
    struct JobRequest {
        uint8 kind;
        uint32 modelId;
        uint32 datasetId;
        bytes32 imageDigest;
        bytes32 specHash;
        string specUri;
        INodeRegistry.Requirements requirements;
        uint96 maxPrice;
        uint32 bidWindow;
        uint32 maxRuntime;
        uint8 verification;
        uint64[] dependsOn;
    }

    IERC20 public immutable token;
    INodeRegistry public immutable nodes;
    IModelRegistry public immutable models;
    address private immutable _deployer;

    /// @notice Seconds after `bidEnd` during which nodes claim.
    uint32 public immutable claimWindow;
    /// @notice Seconds after a result during which it can be challenged.
    uint32 public immutable challengeWindow;
    /// @notice Shortest bid window a job may ask.
    uint32 public immutable minBidWindow;
    /// @notice Longest bid window a job may ask.
    uint32 public immutable maxBidWindow;
    /// @notice Longest `maxRuntime` a job may ask.
    uint32 public immutable maxRuntimeLimit;
    /// @notice Bond locked from the claimer's stake, in basis points of its price.
    uint16 public immutable bondBps;
    /// @notice Share of the price a node keeps when the requester cancels after assignment, in basis points.
    uint16 public immutable cancelFeeBps;
    /// @notice Share of a job's `maxPrice` reserved for its verifiers, in basis points: claims are capped at the
    /// rest, and what an audit does not spend goes back to the requester.
    uint16 public immutable verificationBudgetBps;
    /// @notice Auctions a job gets (the first plus reopenings) before it expires with a refund.
    uint8 public immutable maxAttempts;
    /// @notice Most jobs a job may depend on.
    uint8 public immutable maxDependencies;

    /// @notice The proof contract, set once after deployment.
    address public proof;
    /// @notice Number of jobs submitted; ids run from 1.
    uint64 public jobCount;

    mapping(uint64 jobId => bytes32) private _records;
    mapping(uint64 jobId => uint64[]) private _dependencies;
    /// @notice Withdrawable payouts and refunds.
    mapping(address account => uint256) public balanceOf;

    /// @notice A job was submitted and its `maxPrice` escrowed. `job` is its first record.
    event JobSubmitted(
        uint64 indexed jobId,
        address indexed requester,
        uint32 indexed modelId,
        bytes32 imageDigest,
        bytes32 specHash,
        string specUri,
        uint64[] dependsOn,
        Job job
    );
    /// @notice `node` holds the lowest claim (`job.price`, bond locked); `previous` (if any) was replaced and
    /// its bond released. Unless outbid before `claimEnd(job)`, the node is assigned and must deliver by
    /// `deadline(job)`.
    event JobClaimed(uint64 indexed jobId, address indexed node, address indexed previous, Job job);
    /// @notice The job's auction starts again (attempt `job.attempts`), after no claim or a missed deadline.
    event JobReopened(uint64 indexed jobId, Job job);
    /// @notice The assigned node missed its deadline; `bond` of its stake went to the requester.
    event JobNodeSlashed(uint64 indexed jobId, address indexed node, uint256 bond);
    /// @notice The assigned node committed `job.outputRoot`; challengeable until `resultAt + challengeWindow`.
    event ResultSubmitted(
        uint64 indexed jobId, address indexed node, bytes32 metricsHash, string outputUri, Job job
    );
    /// @notice Settled: the node was credited `job.price`, the requester `refund`. A train job's output is now
    /// a checkpoint of its model (`jobCheckpoint`).
    event JobFinalized(uint64 indexed jobId, address indexed node, uint96 refund, Job job);
    /// @notice Cancelled by the requester: `nodeFee` to the node (after assignment), `refund` to the requester.
    event JobCancelled(uint64 indexed jobId, address indexed node, uint96 nodeFee, uint96 refund, Job job);
    /// @notice Ended without a result (attempts exhausted); the requester was refunded.
    event JobExpired(uint64 indexed jobId, uint96 refund, Job job);
    /// @notice `challenger` disputed the result; payout waits for the dispute.
    event JobDisputed(uint64 indexed jobId, address indexed challenger, Job job);
    /// @notice A dispute ended with no verdict: the requester was refunded, the node's bond released.
    event JobRefunded(uint64 indexed jobId, address indexed node, uint96 refund, Job job);
    /// @notice The verifiers judged the result: `upheld` (the job is Finalized, see JobFinalized) or not (the
    /// node lost `slashed` of its bond and the job Failed). `amounts` went to `payees`: the escrow plus the slash.
    event JobVerified(
        uint64 indexed jobId,
        address indexed node,
        bool upheld,
        uint256 slashed,
        address[] payees,
        uint256[] amounts,
        Job job
    );
    /// @notice `account` withdrew `amount` of its payouts and refunds.
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice The proof contract was set.
    event ProofSet(address proof);

    error InvalidJobKind(uint8 kind);
    error ZeroMaxPrice();
    error ZeroImageDigest();
    error ZeroSpecHash();
    error EmptySpecUri();
    error ModelRequired(JobKind kind);
    error DatasetRequired(JobKind kind);
    error BidWindowOutOfRange(uint32 bidWindow, uint32 min, uint32 max);
    error MaxRuntimeOutOfRange(uint32 maxRuntime, uint32 max);
    error TooManyDependencies(uint256 count, uint256 max);
    error UnknownDependency(uint64 dependencyId);
    error UnknownJob(uint64 jobId);
    error StaleJobRecord(uint64 jobId, uint256 lastChangeBlock);
    error DependencyRecordsMismatch(uint64 jobId, uint256 given, uint256 expected);
    error JobNotClaimable(uint64 jobId, JobState state);
    error ClaimWindowNotOpen(uint64 jobId, uint256 opensAt, uint256 nowTs);
    error ClaimWindowClosed(uint64 jobId, uint256 closedAt, uint256 nowTs);
    error ClaimWindowStillOpen(uint64 jobId, uint256 closesAt, uint256 nowTs);
    error ZeroPrice();
    error PriceAboveMax(uint64 jobId, uint256 price, uint256 maxPrice);
    error ClaimNotLower(uint64 jobId, uint256 price, uint256 currentPrice);
    error DependencyNotFinalized(uint64 jobId, uint64 dependencyId, JobState state);
    error NotAssignedNode(uint64 jobId, address caller, address assigned);
    error ZeroOutputRoot();
    error EmptyOutputUri();
    error DeadlinePassed(uint64 jobId, uint256 deadline, uint256 nowTs);
    error WrongState(uint64 jobId, JobState state, JobState expected);
    error ChallengeWindowOpen(uint64 jobId, uint256 closesAt, uint256 nowTs);
    error ChallengeWindowClosed(uint64 jobId, uint256 closedAt, uint256 nowTs);
    error NotRequester(uint64 jobId, address caller, address requester);
    error JobNotCancellable(uint64 jobId, JobState state);
    error NodeMissedDeadline(uint64 jobId, uint256 deadline);
    error NotExpirable(uint64 jobId, JobState state, uint256 expirableAt, uint256 nowTs);
    error NotACheckpoint(uint64 jobId);
    error AuditDue(uint64 jobId);
    error PayoutMismatch(uint64 jobId, uint256 total, uint256 expected);
    error NothingToWithdraw(address account);
    error OnlyProof(address caller);
    error OnlyDeployer(address caller);
    error ProofAlreadySet(address proof);
    error ZeroAddress();
    error InvalidParams();

    /// @param token_ Payment token (the same as the registry's stake token).
    /// @param nodes_ Node registry (grants this contract JOBS_ROLE).
    /// @param models_ Model registry (ids are checked at submission).
    /// @param p Protocol parameters.
    constructor(IERC20 token_, INodeRegistry nodes_, IModelRegistry models_, Params memory p) {
        if (
            p.claimWindow == 0 || p.minBidWindow == 0 || p.minBidWindow > p.maxBidWindow
                || p.maxBidWindow > MAX_BID_WINDOW || p.maxRuntimeLimit == 0 || p.cancelFeeBps > BPS
                || p.verificationBudgetBps >= BPS || p.maxAttempts == 0
        ) revert InvalidParams();
        token = token_;
        nodes = nodes_;
        models = models_;
        _deployer = msg.sender;
        claimWindow = p.claimWindow;
        challengeWindow = p.challengeWindow;
        minBidWindow = p.minBidWindow;
        maxBidWindow = p.maxBidWindow;
        maxRuntimeLimit = p.maxRuntimeLimit;
        bondBps = p.bondBps;
        cancelFeeBps = p.cancelFeeBps;
        verificationBudgetBps = p.verificationBudgetBps;
        maxAttempts = p.maxAttempts;
        maxDependencies = p.maxDependencies;
    }

    /// @notice Sets the proof contract; callable once, by the deployer.
    /// @param proof_ The ProofOfCompute deployment bound to this manager.
    function setProof(address proof_) external {
        if (msg.sender != _deployer) revert OnlyDeployer(msg.sender);
        if (proof != address(0)) revert ProofAlreadySet(proof);
        if (proof_ == address(0)) revert ZeroAddress();
        proof = proof_;
        emit ProofSet(proof_);
    }

    // ------------------------------------------------------------------ requester

    /// @notice Submits a job and escrows `req.maxPrice` from the caller (needs an allowance).
    /// @param req Kind, model, dataset, runtime image digest, spec hash and URI, requirements, price cap,
    /// bid window, max runtime, verification policy and the jobs it depends on.
    /// @return jobId The new job's id (from 1).
    function submitJob(JobRequest calldata req) external returns (uint64 jobId) {
        return _submit(req);
    }

    /// @notice Like `submitJob`, with an ERC-2612 permit for exactly `req.maxPrice` in the same transaction.
    /// @dev A permit that fails (already used, e.g. front-run) is ignored when the allowance already suffices.
    /// @param req The job, as for `submitJob`.
    /// @param permitDeadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    /// @return jobId The new job's id.
    function submitJobWithPermit(JobRequest calldata req, uint256 permitDeadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint64 jobId)
    {
        // solhint-disable no-empty-blocks
        try IERC20Permit(address(token)).permit(msg.sender, address(this), req.maxPrice, permitDeadline, v, r, s) {}
            catch {}
        // solhint-enable no-empty-blocks
        return _submit(req);
    }

    /// @notice Cancels a job. Before assignment: full refund (a claimer's bond is released). After assignment
    /// and before a result: the node keeps `cancelFeeBps` of its price, the requester gets the rest.
    /// @param jobId A job the caller requested.
    /// @param current The job's current record.
    function cancel(uint64 jobId, Job calldata current) external {
        _verify(jobId, current);
        if (current.requester != msg.sender) revert NotRequester(jobId, msg.sender, current.requester);
        Job memory job = current;
        uint96 nodeFee;
        if (job.state == JobState.Claimed) {
            uint256 end = claimEnd(job);
            if (block.timestamp >= end) {
                uint256 due = end + job.maxRuntime;
                if (block.timestamp > due) revert NodeMissedDeadline(jobId, due);
                nodeFee = uint96(uint256(job.price) * cancelFeeBps / BPS);
                balanceOf[job.claimer] += nodeFee;
            }
            nodes.releaseBond(job.claimer, _bond(job.price));
        } else if (job.state != JobState.Open) {
            revert JobNotCancellable(jobId, job.state);
        }
        job.state = JobState.Cancelled;
        uint96 refund = job.maxPrice - nodeFee;
        balanceOf[msg.sender] += refund;
        _store(jobId, job);
        emit JobCancelled(jobId, job.claimer, nodeFee, refund, job);
    }

    // ---------------------------------------------------------------------- nodes

    /// @notice Claims a job at `price` during its claim window. The caller must be an active node meeting the
    /// job's requirements with free stake for the bond; a strictly lower claim replaces the current one.
    /// The price is at most `maxPrice` less the job's verification budget.
    /// @param jobId The job.
    /// @param current The job's current record.
    /// @param price The node's price, at most `maxClaimPrice(job)`.
    /// @param dependencies The current records of the jobs it depends on, in `dependenciesOf` order (usually
    /// none); each must be Finalized.
    function claim(uint64 jobId, Job calldata current, uint96 price, Job[] calldata dependencies) external {
        _verify(jobId, current);
        JobState state = current.state;
        if (state != JobState.Open && state != JobState.Claimed) revert JobNotClaimable(jobId, state);
        uint256 end = claimEnd(current);
        if (block.timestamp < current.bidEnd) revert ClaimWindowNotOpen(jobId, current.bidEnd, block.timestamp);
        if (block.timestamp >= end) revert ClaimWindowClosed(jobId, end, block.timestamp);
        if (price == 0) revert ZeroPrice();
        uint256 cap = current.maxPrice - _budget(current.maxPrice);
        if (price > cap) revert PriceAboveMax(jobId, price, cap);
        if (current.dependencyCount != 0 || dependencies.length != 0) {
            _requireDependenciesFinalized(jobId, dependencies);
        }

        address previous = current.claimer;
        if (state == JobState.Claimed) {
            if (price >= current.price) revert ClaimNotLower(jobId, price, current.price);
            nodes.releaseBond(previous, _bond(current.price));
        }
        nodes.lockBond(
            msg.sender,
            _bond(price),
            INodeRegistry.Requirements({
                gpuCount: current.gpuCount,
                minVramGb: current.minVramGb,
                minCertLevel: current.minCertLevel
            })
        );
        Job memory job = current;
        job.state = JobState.Claimed;
        job.claimer = msg.sender;
        job.price = price;
        _store(jobId, job);
        emit JobClaimed(jobId, msg.sender, previous, job);
    }

    /// @notice Commits the caller's result: only the assigned node, after the claim window, by the deadline.
    /// @param jobId The job.
    /// @param current The job's current record.
    /// @param outputRoot sha256 over the canonical manifest of the job's outputs (docs/runtime-contract.md).
    /// @param metricsHash sha256 of the job's result.json, for audits by metric.
    /// @param outputUri Where the outputs can be fetched.
    function submitResult(
        uint64 jobId,
        Job calldata current,
        bytes32 outputRoot,
        bytes32 metricsHash,
        string calldata outputUri
    ) external {
        _verify(jobId, current);
        if (outputRoot == bytes32(0)) revert ZeroOutputRoot();
        if (bytes(outputUri).length == 0) revert EmptyOutputUri();
        if (current.state != JobState.Claimed) revert WrongState(jobId, current.state, JobState.Claimed);
        if (current.claimer != msg.sender) revert NotAssignedNode(jobId, msg.sender, current.claimer);
        uint256 end = claimEnd(current);
        if (block.timestamp < end) revert ClaimWindowStillOpen(jobId, end, block.timestamp);
        uint256 due = end + current.maxRuntime;
        if (block.timestamp > due) revert DeadlinePassed(jobId, due, block.timestamp);
        Job memory job = current;
        job.state = JobState.ResultSubmitted;
        job.resultAt = uint32(block.timestamp);
        job.outputRoot = outputRoot;
        _store(jobId, job);
        emit ResultSubmitted(jobId, msg.sender, metricsHash, outputUri, job);
    }

    // ------------------------------------------------------------------- anyone

    /// @notice Settles a job whose challenge window passed without a challenge and that the random audit did not
    /// pick (ProofOfCompute.auditDue): credits the node its price and the requester the rest of the escrow, and
    /// releases the node's bond. A train job's output becomes a checkpoint of its model (see `jobCheckpoint`).
    /// @param jobId A job in `ResultSubmitted`.
    /// @param current The job's current record.
    function finalize(uint64 jobId, Job calldata current) external {
        _verify(jobId, current);
        if (current.state != JobState.ResultSubmitted) {
            revert WrongState(jobId, current.state, JobState.ResultSubmitted);
        }
        uint256 closesAt = uint256(current.resultAt) + challengeWindow;
        if (block.timestamp < closesAt) revert ChallengeWindowOpen(jobId, closesAt, block.timestamp);
        address p = proof;
        if (p != address(0) && IProofOfCompute(p).auditDue(jobId, current.verification, _lastChange(jobId))) {
            revert AuditDue(jobId);
        }
        Job memory job = current;
        job.state = JobState.Finalized;
        uint96 refund = job.maxPrice - job.price;
        balanceOf[job.claimer] += job.price;
        if (refund != 0) balanceOf[job.requester] += refund;
        nodes.releaseBond(job.claimer, _bond(job.price));
        _store(jobId, job);
        emit JobFinalized(jobId, job.claimer, refund, job);
    }

    /// @notice Moves a stuck job on: an auction that closed with no claim, or an assigned node past its
    /// deadline without a result (its bond is slashed to the requester). The job is reopened for a new
    /// auction, or expires with a full refund once `maxAttempts` auctions were held.
    /// @param jobId The job.
    /// @param current The job's current record.
    function expire(uint64 jobId, Job calldata current) external {
        _verify(jobId, current);
        Job memory job = current;
        uint256 end = claimEnd(job);
        if (job.state == JobState.Open) {
            if (block.timestamp < end) revert NotExpirable(jobId, job.state, end, block.timestamp);
        } else if (job.state == JobState.Claimed) {
            uint256 due = end + job.maxRuntime;
            if (block.timestamp <= due) revert NotExpirable(jobId, job.state, due + 1, block.timestamp);
            uint256 bond = _bond(job.price);
            nodes.slashBond(job.claimer, bond, job.requester);
            emit JobNodeSlashed(jobId, job.claimer, bond);
            job.claimer = address(0);
            job.price = 0;
        } else {
            revert NotExpirable(jobId, job.state, 0, block.timestamp);
        }
        job.attempts += 1;
        if (job.attempts < maxAttempts) {
            job.state = JobState.Open;
            job.bidEnd = uint32(block.timestamp + job.bidWindow);
            _store(jobId, job);
            emit JobReopened(jobId, job);
        } else {
            job.state = JobState.Expired;
            balanceOf[job.requester] += job.maxPrice;
            _store(jobId, job);
            emit JobExpired(jobId, job.maxPrice, job);
        }
    }

    /// @notice Pays out the caller's whole balance (payouts and refunds) to `to`.
    /// @param to Receiver of the tokens.
    function withdraw(address to) external {
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = balanceOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        balanceOf[msg.sender] = 0;
        token.safeTransfer(to, amount);
        emit Withdrawn(msg.sender, to, amount);
    }

    // ------------------------------------------------------------- proof contract

    /// @inheritdoc IAIJobManager
    function onDisputed(uint64 jobId, Job calldata current, address challenger) external {
        _onlyProof();
        _verify(jobId, current);
        if (current.state != JobState.ResultSubmitted) {
            revert WrongState(jobId, current.state, JobState.ResultSubmitted);
        }
        // Who may challenge is the proof contract's rule; when is the job's (audits may open at any time).
        if (challenger != address(0)) {
            uint256 closesAt = uint256(current.resultAt) + challengeWindow;
            if (block.timestamp >= closesAt) revert ChallengeWindowClosed(jobId, closesAt, block.timestamp);
        }
        Job memory job = current;
        job.state = JobState.Disputed;
        _store(jobId, job);
        emit JobDisputed(jobId, challenger, job);
    }

    /// @inheritdoc IAIJobManager
    function onDisputeUnresolved(uint64 jobId, Job calldata current) external {
        _onlyProof();
        _verify(jobId, current);
        if (current.state != JobState.Disputed) revert WrongState(jobId, current.state, JobState.Disputed);
        Job memory job = current;
        job.state = JobState.Failed;
        nodes.releaseBond(job.claimer, _bond(job.price));
        balanceOf[job.requester] += job.maxPrice;
        _store(jobId, job);
        emit JobRefunded(jobId, job.claimer, job.maxPrice, job);
    }

    /// @inheritdoc IAIJobManager
    function onVerdict(
        uint64 jobId,
        Job calldata current,
        bool upheld,
        address[] calldata payees,
        uint256[] calldata amounts
    ) external {
        _onlyProof();
        _verify(jobId, current);
        if (current.state != JobState.Disputed) revert WrongState(jobId, current.state, JobState.Disputed);
        Job memory job = current;
        uint256 bond = _bond(job.price);
        uint256 slashed;
        if (upheld) {
            job.state = JobState.Finalized;
            nodes.releaseBond(job.claimer, bond);
        } else {
            job.state = JobState.Failed;
            slashed = bond;
            nodes.slashBond(job.claimer, bond, address(this));
        }
        uint256 total;
        for (uint256 i; i < payees.length; ++i) {
            balanceOf[payees[i]] += amounts[i];
            total += amounts[i];
        }
        if (total != job.maxPrice + slashed) revert PayoutMismatch(jobId, total, job.maxPrice + slashed);
        _store(jobId, job);
        emit JobVerified(jobId, job.claimer, upheld, slashed, payees, amounts, job);
        // An upheld job is settled like any other: readers (and lineage) see the same event.
        if (upheld) emit JobFinalized(jobId, job.claimer, uint96(amounts[amounts.length - 1]), job);
    }

    // ---------------------------------------------------------------------- views

    /// @notice Whether `job` is `jobId`'s current record.
    function isCurrent(uint64 jobId, Job calldata job) external view returns (bool) {
        bytes32 stored = _records[jobId];
        return stored != 0 && (stored ^ _hashCalldata(job)) >> BLOCK_BITS == 0;
    }

    /// @notice The block whose logs hold `jobId`'s current record (its last change); 0 for an unknown id.
    function lastChangeBlock(uint64 jobId) external view returns (uint256) {
        return _lastChange(jobId);
    }

    /// @inheritdoc IAIJobManager
    function verificationBudget(uint96 maxPrice) external view returns (uint256) {
        return _budget(maxPrice);
    }

    /// @inheritdoc IAIJobManager
    function bondOf(uint96 price) external view returns (uint256) {
        return _bond(price);
    }

    /// @notice The highest price a node may claim `job` at: its `maxPrice` less the verification budget.
    function maxClaimPrice(Job calldata job) external view returns (uint256) {
        return job.maxPrice - _budget(job.maxPrice);
    }

    /// @notice The checkpoint a finalized train job produced: lineage dataset -> job -> node -> output root ->
    /// model, all from the job's verified record. Reverts unless it is a finalized train job.
    /// @param jobId The job.
    /// @param current The job's current record.
    function jobCheckpoint(uint64 jobId, Job calldata current)
        external
        view
        returns (uint32 modelId, uint32 datasetId, address node, bytes32 contentHash)
    {
        _verify(jobId, current);
        if (current.kind != JobKind.Train || current.state != JobState.Finalized) revert NotACheckpoint(jobId);
        return (current.modelId, current.datasetId, current.claimer, current.outputRoot);
    }

    /// @notice The jobs `jobId` waits for.
    function dependenciesOf(uint64 jobId) external view returns (uint64[] memory) {
        return _dependencies[jobId];
    }

    /// @notice End of `job`'s current claim window (it opens at `job.bidEnd`).
    function claimEnd(Job memory job) public view returns (uint256) {
        return uint256(job.bidEnd) + claimWindow;
    }

    /// @notice Time by which `job`'s assigned node must submit its result.
    function deadline(Job memory job) public view returns (uint256) {
        return claimEnd(job) + job.maxRuntime;
    }

    // -------------------------------------------------------------------- private

    function _submit(JobRequest calldata req) private returns (uint64 jobId) {
        if (req.kind > uint8(type(JobKind).max)) revert InvalidJobKind(req.kind);
        JobKind kind = JobKind(req.kind);
        if (req.maxPrice == 0) revert ZeroMaxPrice();
        if (req.imageDigest == bytes32(0)) revert ZeroImageDigest();
        if (req.specHash == bytes32(0)) revert ZeroSpecHash();
        if (bytes(req.specUri).length == 0) revert EmptySpecUri();
        if (kind != JobKind.Agent && req.modelId == 0) revert ModelRequired(kind);
        if (kind == JobKind.Train && req.datasetId == 0) revert DatasetRequired(kind);
        if (req.bidWindow < minBidWindow || req.bidWindow > maxBidWindow) {
            revert BidWindowOutOfRange(req.bidWindow, minBidWindow, maxBidWindow);
        }
        if (req.maxRuntime == 0 || req.maxRuntime > maxRuntimeLimit) {
            revert MaxRuntimeOutOfRange(req.maxRuntime, maxRuntimeLimit);
        }
        if (req.modelId != 0 || req.datasetId != 0) models.requireExists(req.modelId, req.datasetId);

        jobId = ++jobCount;
        uint256 deps = req.dependsOn.length;
        if (deps != 0) {
            if (deps > maxDependencies) revert TooManyDependencies(deps, maxDependencies);
            for (uint256 i; i < deps; ++i) {
                uint64 d = req.dependsOn[i];
                if (d == 0 || d >= jobId) revert UnknownDependency(d);
            }
            _dependencies[jobId] = req.dependsOn;
        }
        Job memory job;
        job.requester = msg.sender;
        job.maxPrice = req.maxPrice;
        job.state = JobState.Open;
        job.kind = kind;
        job.verification = req.verification;
        job.gpuCount = req.requirements.gpuCount;
        job.minCertLevel = req.requirements.minCertLevel;
        job.minVramGb = req.requirements.minVramGb;
        job.dependencyCount = uint8(deps);
        job.bidWindow = req.bidWindow;
        job.bidEnd = uint32(block.timestamp + req.bidWindow);
        job.maxRuntime = req.maxRuntime;
        job.modelId = req.modelId;
        job.datasetId = req.datasetId;
        _store(jobId, job);

        token.safeTransferFrom(msg.sender, address(this), req.maxPrice);
        emit JobSubmitted(
            jobId, msg.sender, req.modelId, req.imageDigest, req.specHash, req.specUri, req.dependsOn, job
        );
    }

    function _requireDependenciesFinalized(uint64 jobId, Job[] calldata records) private view {
        uint64[] storage ids = _dependencies[jobId];
        if (records.length != ids.length) revert DependencyRecordsMismatch(jobId, records.length, ids.length);
        for (uint256 i; i < ids.length; ++i) {
            uint64 d = ids[i];
            _verify(d, records[i]);
            if (records[i].state != JobState.Finalized) revert DependencyNotFinalized(jobId, d, records[i].state);
        }
    }

    function _verify(uint64 jobId, Job calldata job) private view {
        bytes32 stored = _records[jobId];
        if (stored == 0) revert UnknownJob(jobId);
        if ((stored ^ _hashCalldata(job)) >> BLOCK_BITS != 0) {
            revert StaleJobRecord(jobId, uint256(stored) & BLOCK_MASK);
        }
    }

    function _store(uint64 jobId, Job memory job) private {
        _records[jobId] = bytes32((uint256(_hashMemory(job)) & ~BLOCK_MASK) | block.number);
    }

    /// @dev keccak256(abi.encode(job)) without the copy and per-field checks: a record given with dirty bits
    /// hashes differently from the clean one stored, so it is refused like any stale record.
    function _hashCalldata(Job calldata job) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, job, JOB_SIZE)
            h := keccak256(ptr, JOB_SIZE)
        }
    }

    /// @dev keccak256(abi.encode(job)) over the memory struct in place.
    function _hashMemory(Job memory job) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(job, JOB_SIZE)
        }
    }

    /// @dev uint256 on purpose: a bond above any stake (a huge price) must fail the registry's free-stake
    /// check, not wrap around to a small number.
    function _bond(uint96 price) private view returns (uint256) {
        return uint256(price) * bondBps / BPS;
    }

    function _budget(uint96 maxPrice) private view returns (uint256) {
        return uint256(maxPrice) * verificationBudgetBps / BPS;
    }

    function _lastChange(uint64 jobId) private view returns (uint256) {
        return uint256(_records[jobId]) & BLOCK_MASK;
    }

    function _onlyProof() private view {
        if (msg.sender != proof) revert OnlyProof(msg.sender);
    }
}
