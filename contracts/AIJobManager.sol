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
/// needed: "assigned" is `Claimed` past `claimEnd`). The assigned node submits its result to ProofOfCompute;
/// after the challenge window anyone finalizes: the node is paid its price and the requester gets the rest.
/// @dev Payouts are pull balances (`withdraw`): a credit costs less gas than a token transfer and no
/// recipient can block a settlement. Token conservation: this contract holds exactly the escrows of jobs
/// not yet settled plus the sum of `balanceOf`.
contract AIJobManager is IAIJobManager {
    using SafeERC20 for IERC20;

    uint16 private constant BPS = 10_000;

    /// @notice Protocol parameters, fixed at deployment (see docs/contracts.md for defaults).
    struct Params {
        uint32 claimWindow;
        uint32 challengeWindow;
        uint32 minBidWindow;
        uint32 maxBidWindow;
        uint32 maxRuntimeLimit;
        uint16 bondBps;
        uint16 cancelFeeBps;
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

    /// @notice A job as stored: three slots, the third written at the first claim.
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
        uint24 bidWindow;
        uint8 dependencyCount;
        uint32 bidEnd;
        uint32 maxRuntime;
        uint32 resultAt;
        uint32 modelId;
        uint32 datasetId;
        address claimer;
        uint96 price;
    }

    IERC20 public immutable token;
    INodeRegistry public immutable nodes;
    IModelRegistry public immutable models;
    address private immutable _deployer;

    /// @notice Seconds after `bidEnd` during which nodes claim.
    uint32 public immutable claimWindow;
    /// @notice Seconds after a result during which it can be challenged.
    uint32 public immutable challengeWindow;
    uint32 public immutable minBidWindow;
    uint32 public immutable maxBidWindow;
    uint32 public immutable maxRuntimeLimit;
    /// @notice Bond locked from the assigned node's stake, in basis points of its price.
    uint16 public immutable bondBps;
    /// @notice Share of the price a node keeps when the requester cancels after assignment, in basis points.
    uint16 public immutable cancelFeeBps;
    /// @notice Auctions a job gets (the first plus reopenings) before it expires with a refund.
    uint8 public immutable maxAttempts;
    uint8 public immutable maxDependencies;

    /// @notice The proof contract, set once after deployment.
    address public proof;
    /// @notice Number of jobs submitted; ids run from 1.
    uint64 public jobCount;

    mapping(uint64 jobId => Job) private _jobs;
    mapping(uint64 jobId => uint64[]) private _dependencies;
    /// @notice Withdrawable payouts and refunds.
    mapping(address account => uint256) public balanceOf;

    /// @notice A job was submitted and its `maxPrice` escrowed. The claim window is [bidEnd, claimEnd).
    event JobSubmitted(
        uint64 indexed jobId,
        address indexed requester,
        uint32 indexed modelId,
        JobKind kind,
        uint32 datasetId,
        bytes32 imageDigest,
        bytes32 specHash,
        string specUri,
        INodeRegistry.Requirements requirements,
        uint96 maxPrice,
        uint32 bidEnd,
        uint32 claimEnd,
        uint32 maxRuntime,
        uint8 verification,
        uint64[] dependsOn
    );
    /// @notice `node` holds the lowest claim at `price` (bond locked); `previous` (if any) was replaced and
    /// its bond released. The node is assigned unless outbid before `claimEnd`, and must deliver by `deadline`.
    event JobClaimed(
        uint64 indexed jobId,
        address indexed node,
        uint96 price,
        uint96 bond,
        address indexed previous,
        uint96 previousPrice,
        uint32 claimEnd,
        uint32 deadline
    );
    /// @notice The job's auction starts again (attempt `attempt`), after no claim or a missed deadline.
    event JobReopened(uint64 indexed jobId, uint8 attempt, uint32 bidEnd, uint32 claimEnd);
    /// @notice The assigned node missed its deadline; its bond went to the requester.
    event JobNodeSlashed(uint64 indexed jobId, address indexed node, uint96 bond, address indexed requester);
    /// @notice Settled: the node was credited `price`, the requester `refund`. A train job's output is now a
    /// checkpoint of its model (`jobCheckpoint`).
    event JobFinalized(uint64 indexed jobId, address indexed node, uint96 price, uint96 refund);
    /// @notice Cancelled by the requester: `nodeFee` to the node (after assignment), `refund` to the requester.
    event JobCancelled(uint64 indexed jobId, address indexed node, uint96 nodeFee, uint96 refund);
    /// @notice Ended without a result (attempts exhausted); the requester was refunded.
    event JobExpired(uint64 indexed jobId, uint96 refund);
    /// @notice A dispute ended with no verdict: the requester was refunded, the node's bond released.
    event JobRefunded(uint64 indexed jobId, address indexed node, uint96 refund);
    /// @notice A job was challenged; payout waits for the dispute.
    event JobDisputed(uint64 indexed jobId);
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
    error JobNotClaimable(uint64 jobId, JobState state);
    error ClaimWindowNotOpen(uint64 jobId, uint256 opensAt, uint256 nowTs);
    error ClaimWindowClosed(uint64 jobId, uint256 closedAt, uint256 nowTs);
    error ClaimWindowStillOpen(uint64 jobId, uint256 closesAt, uint256 nowTs);
    error ZeroPrice();
    error PriceAboveMax(uint64 jobId, uint256 price, uint256 maxPrice);
    error ClaimNotLower(uint64 jobId, uint256 price, uint256 currentPrice);
    error DependencyNotFinalized(uint64 jobId, uint64 dependencyId, JobState state);
    error NotAssignedNode(uint64 jobId, address caller, address assigned);
    error DeadlinePassed(uint64 jobId, uint256 deadline, uint256 nowTs);
    error WrongState(uint64 jobId, JobState state, JobState expected);
    error ChallengeWindowOpen(uint64 jobId, uint256 closesAt, uint256 nowTs);
    error NotRequester(uint64 jobId, address caller, address requester);
    error JobNotCancellable(uint64 jobId, JobState state);
    error NodeMissedDeadline(uint64 jobId, uint256 deadline);
    error NotExpirable(uint64 jobId, JobState state, uint256 expirableAt, uint256 nowTs);
    error NothingToWithdraw(address account);
    error OnlyProof(address caller);
    error OnlyDeployer(address caller);
    error ProofAlreadySet(address proof);
    error ZeroAddress();
    error InvalidParams();
    error NotACheckpoint(uint64 jobId);

    /// @param token_ Payment token (the same as the registry's stake token).
    /// @param nodes_ Node registry (grants this contract JOBS_ROLE).
    /// @param models_ Model registry (grants this contract JOBS_ROLE).
    /// @param p Protocol parameters.
    constructor(IERC20 token_, INodeRegistry nodes_, IModelRegistry models_, Params memory p) {
        if (
            p.claimWindow == 0 || p.minBidWindow == 0 || p.minBidWindow > p.maxBidWindow
                || p.maxBidWindow > type(uint24).max || p.maxRuntimeLimit == 0 || p.cancelFeeBps > BPS
                || p.maxAttempts == 0
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
    function cancel(uint64 jobId) external {
        Job storage job = _job(jobId);
        if (job.requester != msg.sender) revert NotRequester(jobId, msg.sender, job.requester);
        JobState state = job.state;
        uint96 nodeFee;
        address node;
        if (state == JobState.Claimed) {
            node = job.claimer;
            uint256 claimEnd_ = uint256(job.bidEnd) + claimWindow;
            if (block.timestamp >= claimEnd_) {
                uint256 deadline_ = claimEnd_ + job.maxRuntime;
                if (block.timestamp > deadline_) revert NodeMissedDeadline(jobId, deadline_);
                nodeFee = uint96(uint256(job.price) * cancelFeeBps / BPS);
                balanceOf[node] += nodeFee;
            }
            nodes.releaseBond(node, _bond(job.price));
        } else if (state != JobState.Open) {
            revert JobNotCancellable(jobId, state);
        }
        job.state = JobState.Cancelled;
        uint96 refund = job.maxPrice - nodeFee;
        balanceOf[msg.sender] += refund;
        emit JobCancelled(jobId, node, nodeFee, refund);
    }

    // ---------------------------------------------------------------------- nodes

    /// @notice Claims a job at `price` during its claim window. The caller must be an active node meeting the
    /// job's requirements with free stake for the bond; a strictly lower claim replaces the current one.
    /// @param jobId The job.
    /// @param price The node's price, at most the job's `maxPrice`.
    function claim(uint64 jobId, uint96 price) external {
        Job storage job = _job(jobId);
        JobState state = job.state;
        if (state != JobState.Open && state != JobState.Claimed) revert JobNotClaimable(jobId, state);
        uint256 bidEnd = job.bidEnd;
        uint256 claimEnd_ = bidEnd + claimWindow;
        if (block.timestamp < bidEnd) revert ClaimWindowNotOpen(jobId, bidEnd, block.timestamp);
        if (block.timestamp >= claimEnd_) revert ClaimWindowClosed(jobId, claimEnd_, block.timestamp);
        if (price == 0) revert ZeroPrice();
        if (price > job.maxPrice) revert PriceAboveMax(jobId, price, job.maxPrice);
        if (job.dependencyCount != 0) _requireDependenciesFinalized(jobId);

        address previous;
        uint96 previousPrice;
        if (state == JobState.Claimed) {
            previous = job.claimer;
            previousPrice = job.price;
            if (price >= previousPrice) revert ClaimNotLower(jobId, price, previousPrice);
            nodes.releaseBond(previous, _bond(previousPrice));
        } else {
            job.state = JobState.Claimed;
        }
        uint96 bond = _bond(price);
        nodes.lockBond(
            msg.sender,
            bond,
            INodeRegistry.Requirements({
                gpuCount: job.gpuCount,
                minVramGb: job.minVramGb,
                minCertLevel: job.minCertLevel
            })
        );
        job.claimer = msg.sender;
        job.price = price;
        emit JobClaimed(
            jobId,
            msg.sender,
            price,
            bond,
            previous,
            previousPrice,
            uint32(claimEnd_),
            uint32(claimEnd_ + job.maxRuntime)
        );
    }

    // ------------------------------------------------------------------- anyone

    /// @notice Settles a job whose challenge window passed without a challenge: credits the node its price and
    /// the requester the rest of the escrow, and releases the node's bond. A train job's output becomes a
    /// checkpoint of its model (see `jobCheckpoint`).
    /// @param jobId A job in `ResultSubmitted`.
    function finalize(uint64 jobId) external {
        Job storage job = _job(jobId);
        if (job.state != JobState.ResultSubmitted) {
            revert WrongState(jobId, job.state, JobState.ResultSubmitted);
        }
        uint256 closesAt = uint256(job.resultAt) + challengeWindow;
        if (block.timestamp < closesAt) revert ChallengeWindowOpen(jobId, closesAt, block.timestamp);
        job.state = JobState.Finalized;
        address node = job.claimer;
        uint96 price = job.price;
        uint96 refund = job.maxPrice - price;
        balanceOf[node] += price;
        if (refund != 0) balanceOf[job.requester] += refund;
        nodes.releaseBond(node, _bond(price));
        emit JobFinalized(jobId, node, price, refund);
    }

    /// @notice Moves a stuck job on: an auction that closed with no claim, or an assigned node past its
    /// deadline without a result (its bond is slashed to the requester). The job is reopened for a new
    /// auction, or expires with a full refund once `maxAttempts` auctions were held.
    /// @param jobId The job.
    function expire(uint64 jobId) external {
        Job storage job = _job(jobId);
        JobState state = job.state;
        uint256 claimEnd_ = uint256(job.bidEnd) + claimWindow;
        if (state == JobState.Open) {
            if (block.timestamp < claimEnd_) revert NotExpirable(jobId, state, claimEnd_, block.timestamp);
        } else if (state == JobState.Claimed) {
            uint256 deadline_ = claimEnd_ + job.maxRuntime;
            if (block.timestamp <= deadline_) revert NotExpirable(jobId, state, deadline_ + 1, block.timestamp);
            address node = job.claimer;
            uint96 bond = _bond(job.price);
            job.claimer = address(0);
            job.price = 0;
            nodes.slashBond(node, bond, job.requester);
            emit JobNodeSlashed(jobId, node, bond, job.requester);
        } else {
            revert NotExpirable(jobId, state, 0, block.timestamp);
        }
        uint8 attempt = job.attempts + 1;
        if (attempt < maxAttempts) {
            uint256 bidEnd = block.timestamp + job.bidWindow;
            job.attempts = attempt;
            job.state = JobState.Open;
            job.bidEnd = uint32(bidEnd);
            emit JobReopened(jobId, attempt, uint32(bidEnd), uint32(bidEnd + claimWindow));
        } else {
            job.state = JobState.Expired;
            balanceOf[job.requester] += job.maxPrice;
            emit JobExpired(jobId, job.maxPrice);
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
    function onResultSubmitted(uint64 jobId, address node) external returns (uint256 challengeEnds) {
        _onlyProof();
        Job storage job = _job(jobId);
        if (job.state != JobState.Claimed) revert WrongState(jobId, job.state, JobState.Claimed);
        if (job.claimer != node) revert NotAssignedNode(jobId, node, job.claimer);
        uint256 claimEnd_ = uint256(job.bidEnd) + claimWindow;
        if (block.timestamp < claimEnd_) revert ClaimWindowStillOpen(jobId, claimEnd_, block.timestamp);
        uint256 deadline_ = claimEnd_ + job.maxRuntime;
        if (block.timestamp > deadline_) revert DeadlinePassed(jobId, deadline_, block.timestamp);
        job.state = JobState.ResultSubmitted;
        job.resultAt = uint32(block.timestamp);
        return block.timestamp + challengeWindow;
    }

    /// @inheritdoc IAIJobManager
    function onDisputed(uint64 jobId) external {
        _onlyProof();
        Job storage job = _job(jobId);
        if (job.state != JobState.ResultSubmitted) {
            revert WrongState(jobId, job.state, JobState.ResultSubmitted);
        }
        job.state = JobState.Disputed;
        emit JobDisputed(jobId);
    }

    /// @inheritdoc IAIJobManager
    function onDisputeUnresolved(uint64 jobId) external {
        _onlyProof();
        Job storage job = _job(jobId);
        if (job.state != JobState.Disputed) revert WrongState(jobId, job.state, JobState.Disputed);
        job.state = JobState.Failed;
        address node = job.claimer;
        nodes.releaseBond(node, _bond(job.price));
        balanceOf[job.requester] += job.maxPrice;
        emit JobRefunded(jobId, node, job.maxPrice);
    }

    // ---------------------------------------------------------------------- views

    /// @notice A job as stored; reverts for an unknown id.
    function getJob(uint64 jobId) external view returns (Job memory) {
        return _job(jobId);
    }

    /// @inheritdoc IAIJobManager
    function challengeContext(uint64 jobId)
        external
        view
        returns (address requester, JobState state, uint256 challengeEnds)
    {
        Job storage job = _job(jobId);
        return (job.requester, job.state, uint256(job.resultAt) + challengeWindow);
    }

    /// @notice The checkpoint a finalized train job produced: lineage dataset -> job -> node -> output root ->
    /// model, all by pointers. Reverts unless `jobId` is a finalized train job.
    /// @return modelId The model the checkpoint belongs to.
    /// @return datasetId The dataset it was trained on.
    /// @return node The node that computed it.
    /// @return contentHash Its output root (docs/runtime-contract.md).
    function jobCheckpoint(uint64 jobId)
        external
        view
        returns (uint32 modelId, uint32 datasetId, address node, bytes32 contentHash)
    {
        Job storage job = _job(jobId);
        if (job.kind != JobKind.Train || job.state != JobState.Finalized) revert NotACheckpoint(jobId);
        return (job.modelId, job.datasetId, job.claimer, IProofOfCompute(proof).outputRootOf(jobId));
    }

    /// @notice The jobs `jobId` waits for.
    function dependenciesOf(uint64 jobId) external view returns (uint64[] memory) {
        return _dependencies[jobId];
    }

    /// @notice End of the current claim window (start: `bidEnd`).
    function claimEnd(uint64 jobId) public view returns (uint256) {
        return uint256(_job(jobId).bidEnd) + claimWindow;
    }

    /// @notice Time by which the assigned node must submit its result.
    function deadline(uint64 jobId) external view returns (uint256) {
        return claimEnd(jobId) + _jobs[jobId].maxRuntime;
    }

    /// @notice Whether the job is `Claimed` and its claim window closed, i.e. its node is assigned.
    function isAssigned(uint64 jobId) external view returns (bool) {
        Job storage job = _job(jobId);
        return job.state == JobState.Claimed && block.timestamp >= uint256(job.bidEnd) + claimWindow;
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
        uint256 bidEnd = block.timestamp + req.bidWindow;
        Job storage job = _jobs[jobId];
        job.requester = msg.sender;
        job.maxPrice = req.maxPrice;
        job.state = JobState.Open;
        job.kind = kind;
        job.verification = req.verification;
        job.gpuCount = req.requirements.gpuCount;
        job.minCertLevel = req.requirements.minCertLevel;
        job.minVramGb = req.requirements.minVramGb;
        job.bidWindow = uint24(req.bidWindow);
        job.dependencyCount = uint8(deps);
        job.bidEnd = uint32(bidEnd);
        job.maxRuntime = req.maxRuntime;
        job.modelId = req.modelId;
        job.datasetId = req.datasetId;

        token.safeTransferFrom(msg.sender, address(this), req.maxPrice);
        _emitSubmitted(jobId, kind, req, bidEnd);
    }

    function _emitSubmitted(uint64 jobId, JobKind kind, JobRequest calldata req, uint256 bidEnd) private {
        emit JobSubmitted(
            jobId,
            msg.sender,
            req.modelId,
            kind,
            req.datasetId,
            req.imageDigest,
            req.specHash,
            req.specUri,
            req.requirements,
            req.maxPrice,
            uint32(bidEnd),
            uint32(bidEnd + claimWindow),
            req.maxRuntime,
            req.verification,
            req.dependsOn
        );
    }

    function _requireDependenciesFinalized(uint64 jobId) private view {
        uint64[] storage deps = _dependencies[jobId];
        for (uint256 i; i < deps.length; ++i) {
            JobState s = _jobs[deps[i]].state;
            if (s != JobState.Finalized) revert DependencyNotFinalized(jobId, deps[i], s);
        }
    }

    function _bond(uint96 price) private view returns (uint96) {
        return uint96(uint256(price) * bondBps / BPS);
    }

    function _job(uint64 jobId) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.state == JobState.None) revert UnknownJob(jobId);
    }

    function _onlyProof() private view {
        if (msg.sender != proof) revert OnlyProof(msg.sender);
    }
}
