// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AIJobManager} from "../../AIJobManager.sol";
import {NodeRegistry} from "../../NodeRegistry.sol";
import {ProofOfCompute} from "../../ProofOfCompute.sol";
import {MockToken} from "../../devnet/MockToken.sol";
import {IAIJobManager} from "../../interfaces/IAIJobManager.sol";
import {INodeRegistry} from "../../interfaces/INodeRegistry.sol";
import {JobRecords} from "../utils/JobRecords.sol";
import {Test} from "../utils/Test.sol";
import {Vm} from "../utils/Vm.sol";

/// @title ArthaHandler
/// @notice Drives random sequences of protocol actions by several requesters and nodes, with bounded inputs and
/// try/catch (a failing action is fine; the invariants decide), and keeps ghost state the invariants compare the
/// contracts against: per-job settlement counts, the node credits the rules predict, who submitted each result,
/// and every observed job state transition, checked against the state machine written down in `_allowed`.
/// Dispute paths: jobs are submitted with an audit-rate override (none, always, always in metric mode, half),
/// `audit` draws audits (opening disputes), challenges come from requesters and from active nodes other than
/// the worker, drawn verifiers commit and reveal (honest: they agree iff the worker did not cheat, see
/// `workerCheats`; one in four votes the other way), `resolveDispute` passes the majority (sorted), and
/// `nextRound`, `slashAbsent` and `resolveUnverified` end stuck rounds. `resolveSigned` settles a round with
/// k votes its drawn verifiers signed off-chain (the handler holds the nodes' keys), sometimes spoiled. Every
/// verdict's credits are checked against the payout rules computed here independently.
/// @dev Job-targeting actions pick, three times in four, a job in a state where the action can succeed (see
/// `_pickIn`; a job seed divisible by 4 picks job `1 + (seed / 4) % jobCount` exactly, as the scripted test does).
/// They take a `timing` seed: 0 = act now, 1 = first warp to the earliest moment the action
/// can be valid (so deep paths are reached within a short run), 2 = first warp a little past that moment.
/// Job records: the handler keeps each job's record from the `job` field of the job manager's events (the logs
/// of every successful action, decoded by `JobRecords`), passes it to every call that acts on a job, and reads
/// job states from it; `_observe` checks every job's record against the contract (`isCurrent`) after every
/// action, so the states it compares are the contract's.
contract ArthaHandler is Test {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant PRICE_CAP = 300e6;
    // Job state masks for `_pickIn` (bit i = JobState(i)).
    uint256 internal constant CLAIMED = 1 << uint256(IAIJobManager.JobState.Claimed);
    uint256 internal constant OPEN_OR_CLAIMED = CLAIMED | (1 << uint256(IAIJobManager.JobState.Open));
    uint256 internal constant RESULT_SUBMITTED = 1 << uint256(IAIJobManager.JobState.ResultSubmitted);
    uint256 internal constant DISPUTED = 1 << uint256(IAIJobManager.JobState.Disputed);
    uint256 internal constant UNFINISHED = OPEN_OR_CLAIMED | RESULT_SUBMITTED | DISPUTED;
    uint256 internal constant VERDICT_STATES = DISPUTED | (1 << uint256(IAIJobManager.JobState.Finalized))
        | (1 << uint256(IAIJobManager.JobState.Failed));
    uint8 internal constant AUDIT_ALWAYS = 101;
    uint8 internal constant AUDIT_HALF = 51;
    uint8 internal constant METRIC_MODE = 0x80;
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant BALLOT_TYPEHASH = keccak256("Ballot(uint64 jobId,uint8 round,bytes32 commitment)");

    MockToken public immutable token;
    NodeRegistry public immutable nodeRegistry;
    AIJobManager public immutable jobManager;
    ProofOfCompute public immutable proofOfCompute;

    address[] internal _requesters;
    address[] internal _nodes;
    address[] internal _actors; // requesters, nodes, and one outsider
    /// @dev Each node's private key, to sign its votes for `resolveSigned`.
    mapping(address node => uint256) internal _keyOf;

    // ---------------------------------------------------------------- job records

    /// @dev Each job's record as last emitted.
    mapping(uint64 jobId => IAIJobManager.Job) internal _records;

    // ---------------------------------------------------------------- ghosts

    /// @notice Last observed state of each job.
    mapping(uint64 jobId => IAIJobManager.JobState) public lastState;
    /// @notice Successful settlements (finalize, cancel, expiry with refund, dispute fallback) per job.
    mapping(uint64 jobId => uint256) public settleCount;
    /// @notice Payouts of the node's price per job: finalize calls and upheld verdicts.
    mapping(uint64 jobId => uint256) public finalizeCount;
    /// @notice Who submitted the job's result (zero if none).
    mapping(uint64 jobId => address) public resultSubmitter;
    /// @notice Node credits the rules predict: price at finalize, the fixed fee at a cancel after assignment.
    uint256 public ghostExpectedNodeCredits;
    /// @notice Cancel fees alone (part of the above).
    uint256 public ghostCancelFees;
    /// @notice Payouts withdrawn from the job manager, per account.
    mapping(address account => uint256) public withdrawnBy;
    /// @notice Node credits from verdicts besides an upheld worker's price: verifier fees and slash shares.
    uint256 public ghostNodeVerdictCredits;
    /// @notice Worker bonds slashed into the job manager by verdicts (credited on top of the escrows).
    uint256 public ghostSlashedBonds;
    /// @notice Times each verifier was paid for each job.
    mapping(uint64 jobId => mapping(address verifier => uint256)) public verifierPaid;

    // ---------------------------------------------------------------- verifiers

    /// @notice What a verifier committed (kept to reveal it).
    struct Ballot {
        bytes32 result;
        bool agrees;
        bytes32 salt;
    }

    /// @dev A batch of signed votes: the verifiers, their votes, and whether (and which way) they are unanimous.
    struct SignedBatch {
        address[] who;
        ProofOfCompute.SignedVote[] votes;
        bool upheld;
        bool unanimous;
    }

    /// @dev What a verdict must do, recorded before the call: its side and majority, the credits the rules
    /// predict per account with their balances before, and the challenge bond's receiver with its token balance.
    struct Verdict {
        bool upheld;
        address challenger;
        address[] majority;
        address[] accounts;
        uint256[] expected;
        uint256[] before;
        address bondTo;
        uint256 bondToBefore;
    }

    /// @dev Everyone who voted on a job: committed on-chain, or signed a vote `resolveSigned` accepted.
    mapping(uint64 jobId => address[]) internal _voters;
    mapping(uint64 jobId => mapping(address verifier => Ballot)) internal _ballots;
    /// @notice Revealed votes per job as the rules predict them (agrees / disagrees with the worker).
    mapping(uint64 jobId => uint256) public ghostAgree;
    mapping(uint64 jobId => uint256) public ghostDisagree;

    /// @notice Set when a result submission by anyone but the assigned node succeeded.
    bool public nonClaimerSubmitted;
    /// @notice Set when a credit differed from the rules' prediction.
    bool public payoutMismatch;
    /// @notice Set when a call restricted to one party (the requester's cancel) succeeded for another.
    bool public wrongCallerSucceeded;
    /// @notice Set when a job's record kept from the events was not its current record (`isCurrent`).
    bool public recordMismatch;
    uint64 public recordMismatchJob;
    /// @notice Set when a verifier was paid twice for one job.
    bool public verifierPaidTwice;
    /// @notice Set when a dispute step succeeded that the rules forbid (a commit by someone not drawn, a
    /// reveal not matching its commitment or outside its phase, a wrong majority, a slash of someone not
    /// absent, a challenge by someone who may not), or an audit draw or a tally differed from the rules.
    bool public badDisputeStep;
    bytes32 public badDisputeWhat;
    /// @notice Set when a state transition outside the state machine was observed.
    bool public badTransition;
    uint64 public badJob;
    IAIJobManager.JobState public badFrom;
    IAIJobManager.JobState public badTo;

    /// @notice Successful actions by kind, to show which paths a run reached.
    mapping(bytes32 action => uint256) public count;

    constructor(
        MockToken token_,
        NodeRegistry nodeRegistry_,
        AIJobManager jobManager_,
        ProofOfCompute proofOfCompute_,
        address[] memory requesters_,
        uint256[] memory nodeKeys,
        address outsider
    ) {
        token = token_;
        nodeRegistry = nodeRegistry_;
        jobManager = jobManager_;
        proofOfCompute = proofOfCompute_;
        _requesters = requesters_;
        for (uint256 i; i < requesters_.length; ++i) {
            _actors.push(requesters_[i]);
        }
        for (uint256 i; i < nodeKeys.length; ++i) {
            address node = vm.addr(nodeKeys[i]);
            _keyOf[node] = nodeKeys[i];
            _nodes.push(node);
            _actors.push(node);
        }
        _actors.push(outsider);
    }

    /// @notice Whether the worker of `jobId` cheats: honest verifiers then disagree with its result.
    function workerCheats(uint64 jobId) public pure returns (bool) {
        return jobId % 3 == 0;
    }

    /// @notice Everyone who committed a vote on `jobId`.
    function voters(uint64 jobId) external view returns (address[] memory) {
        return _voters[jobId];
    }

    function requesters() external view returns (address[] memory) {
        return _requesters;
    }

    function nodes() external view returns (address[] memory) {
        return _nodes;
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    /// @notice The record of `jobId` as the handler keeps it from the events (zero for an unknown id).
    function rec(uint64 jobId) external view returns (IAIJobManager.Job memory) {
        return _records[jobId];
    }

    /// @notice The state machine: every (from, to) a job may move along, self-loops included.
    /// None->Open; Open->Claimed|Cancelled|Open(reopen)|Expired; Claimed->Claimed(outbid)|ResultSubmitted|
    /// Cancelled|Open(reopen after slash)|Expired; ResultSubmitted->Finalized|Disputed (challenge or audit);
    /// Disputed->Finalized (upheld) | Failed (not upheld, or no quorum).
    function allowed(IAIJobManager.JobState from, IAIJobManager.JobState to) public pure returns (bool) {
        if (from == IAIJobManager.JobState.None) return to == IAIJobManager.JobState.Open;
        if (from == IAIJobManager.JobState.Open) {
            return to == IAIJobManager.JobState.Claimed || to == IAIJobManager.JobState.Cancelled
                || to == IAIJobManager.JobState.Open || to == IAIJobManager.JobState.Expired;
        }
        if (from == IAIJobManager.JobState.Claimed) {
            return to == IAIJobManager.JobState.Claimed || to == IAIJobManager.JobState.ResultSubmitted
                || to == IAIJobManager.JobState.Cancelled || to == IAIJobManager.JobState.Open
                || to == IAIJobManager.JobState.Expired;
        }
        if (from == IAIJobManager.JobState.ResultSubmitted) {
            return to == IAIJobManager.JobState.Finalized || to == IAIJobManager.JobState.Disputed;
        }
        if (from == IAIJobManager.JobState.Disputed) {
            return to == IAIJobManager.JobState.Failed || to == IAIJobManager.JobState.Finalized;
        }
        return false; // Finalized, Cancelled, Expired, Failed are terminal
    }

    // ================================================================ requester, node and anyone actions

    function submitJob(
        uint256 actorSeed,
        uint256 priceSeed,
        uint256 bidSeed,
        uint256 runtimeSeed,
        uint256 kindSeed,
        uint256 reqSeed,
        uint256 depSeed
    ) external {
        address requester = _requesters[actorSeed % _requesters.length];
        AIJobManager.JobRequest memory req;
        req.kind = uint8(kindSeed % 3);
        // Audit policy: kindSeed / 3 % 4 = 0 none (the deployment's rate), 1 always, 2 always in metric mode,
        // 3 half of the results.
        uint256 policy = (kindSeed / 3) % 4;
        req.verification = policy == 0
            ? 0
            : policy == 1 ? AUDIT_ALWAYS : policy == 2 ? AUDIT_ALWAYS | METRIC_MODE : AUDIT_HALF;
        req.modelId = req.kind == 2 ? 0 : 1;
        req.datasetId = req.kind == 0 ? 1 : 0;
        req.imageDigest = keccak256("image");
        req.specHash = keccak256(abi.encode(depSeed));
        req.specUri = "ipfs://spec";
        uint256 r = reqSeed % 4;
        req.requirements = r == 0
            ? _req(1, 24, 0)
            : r == 1 ? _req(4, 40, 0) : r == 2 ? _req(1, 24, 1) : _req(0, 0, 2);
        req.maxPrice = uint96(bound(priceSeed, 1, PRICE_CAP));
        req.bidWindow = uint32(bound(bidSeed, jobManager.minBidWindow(), 120));
        req.maxRuntime = uint32(bound(runtimeSeed, 1, 600));
        uint64 n = jobManager.jobCount();
        if (n != 0 && depSeed % 4 == 0) {
            req.dependsOn = new uint64[](1);
            req.dependsOn[0] = uint64(1 + (depSeed / 4) % n);
        }
        token.mint(requester, req.maxPrice);
        vm.recordLogs();
        vm.prank(requester);
        try jobManager.submitJob(req) returns (uint64 id) {
            _ingest();
            ++count["submit"];
            _observe(id, true);
        } catch {
            _observe(0, false);
        }
    }

    function cancel(uint256 jobSeed, uint256 callerSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, OPEN_OR_CLAIMED);
        if (has) _doCancel(id, callerSeed, timing);
    }

    function _doCancel(uint64 id, uint256 callerSeed, uint256 timing) private {
        IAIJobManager.Job memory j = _records[id];
        if (timing % 3 != 0 && j.state == IAIJobManager.JobState.Claimed) {
            // 1: into the assignment (a fee is due); 2: past the deadline (must be rejected).
            _warpForward(timing % 3 == 1 ? jobManager.claimEnd(j) : jobManager.deadline(j) + 1);
        }
        // Mostly the requester, sometimes anyone (must fail).
        address caller = callerSeed % 5 == 0 ? _actors[(callerSeed / 5) % _actors.length] : j.requester;
        uint256 nowTs = vm.getBlockTimestamp();
        uint256 fee;
        if (j.state == IAIJobManager.JobState.Claimed && nowTs >= jobManager.claimEnd(j)) {
            fee = uint256(j.price) * jobManager.cancelFeeBps() / BPS;
        }
        uint256 nodeBefore = j.claimer == address(0) ? 0 : jobManager.balanceOf(j.claimer);
        vm.recordLogs();
        vm.prank(caller);
        try jobManager.cancel(id, j) {
            _ingest();
            ++settleCount[id];
            ghostExpectedNodeCredits += fee;
            ghostCancelFees += fee;
            if (caller != j.requester) wrongCallerSucceeded = true;
            if (j.claimer != address(0) && jobManager.balanceOf(j.claimer) - nodeBefore != fee) payoutMismatch = true;
            if (j.state == IAIJobManager.JobState.Open) ++count["cancelOpen"];
            else if (fee == 0) ++count["cancelInClaimWindow"];
            else ++count["cancelAssigned"];
            _observe(id, true);
        } catch {
            if (j.state == IAIJobManager.JobState.Claimed && nowTs > jobManager.deadline(j)) {
                ++count["cancelRejectedPastDeadline"];
            }
            _observe(id, false);
        }
    }

    function challenge(uint256 jobSeed, uint256 callerSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, RESULT_SUBMITTED);
        if (has) _doChallenge(id, callerSeed, timing);
    }

    function _doChallenge(uint64 id, uint256 callerSeed, uint256 timing) private {
        IAIJobManager.Job memory j = _records[id];
        if (timing % 3 == 2 && j.state == IAIJobManager.JobState.ResultSubmitted) {
            _warpForward(uint256(j.resultAt) + jobManager.challengeWindow()); // too late: must fail
        }
        // Mostly the requester, sometimes anyone: an active node other than the worker may, others must fail.
        address caller = callerSeed % 5 == 0 ? _actors[(callerSeed / 5) % _actors.length] : j.requester;
        bool mayChallenge = caller == j.requester || (caller != j.claimer && nodeRegistry.isActive(caller));
        token.mint(caller, proofOfCompute.challengeBond());
        uint256 held = token.balanceOf(address(proofOfCompute));
        vm.recordLogs();
        vm.prank(caller);
        try proofOfCompute.challenge(id, j) {
            _ingest();
            if (!mayChallenge) wrongCallerSucceeded = true;
            if (token.balanceOf(address(proofOfCompute)) - held != proofOfCompute.challengeBond()) {
                payoutMismatch = true;
            }
            ++count[caller == j.requester ? bytes32("challenge") : bytes32("challengeByNode")];
            _observe(id, true);
        } catch {
            _observe(id, false);
        }
    }

    function claim(uint256 nodeSeed, uint256 jobSeed, uint256 priceSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, OPEN_OR_CLAIMED);
        if (!has) return;
        // Mostly a registered node, sometimes the outsider (must fail: not registered).
        address node = nodeSeed % 9 == 8 ? _actors[_actors.length - 1] : _nodes[nodeSeed % _nodes.length];
        _doClaim(node, id, priceSeed, timing);
    }

    function _doClaim(address node, uint64 id, uint256 priceSeed, uint256 timing) private {
        IAIJobManager.Job memory j = _records[id];
        IAIJobManager.Job[] memory deps = _depRecs(id);
        if (timing % 3 == 1) _warpForward(j.bidEnd);
        else if (timing % 3 == 2) _warpForward(uint256(j.bidEnd) + (timing / 3) % jobManager.claimWindow());
        // Mostly valid prices, sometimes 0 or above the cap.
        uint96 price = uint96(bound(priceSeed, 0, uint256(j.maxPrice) + j.maxPrice / 8));
        vm.recordLogs();
        vm.prank(node);
        try jobManager.claim(id, j, price, deps) {
            _ingest();
            if (!nodeRegistry.getNode(node).registered) wrongCallerSucceeded = true;
            ++count[j.state == IAIJobManager.JobState.Claimed ? bytes32("claimReplace") : bytes32("claim")];
            _observe(id, true);
        } catch {
            _observe(id, false);
        }
    }

    /// @notice Any actor tries to submit a result; success is only legal for the assigned node.
    function submitResult(uint256 actorSeed, uint256 jobSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, CLAIMED);
        if (!has) return;
        IAIJobManager.Job memory j = _records[id];
        // Mostly the claimer, sometimes anyone.
        address actor = actorSeed % 4 != 0 && j.claimer != address(0)
            ? j.claimer
            : _actors[(actorSeed / 4) % _actors.length];
        _trySubmitResult(actor, id, j, timing);
    }

    /// @notice Someone who is not the job's current claimer tries to submit: must always fail.
    function submitResultAsOther(uint256 actorSeed, uint256 jobSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, CLAIMED);
        if (!has) return;
        IAIJobManager.Job memory j = _records[id];
        address actor = _actors[actorSeed % _actors.length];
        if (actor == j.claimer) actor = _actors[(actorSeed + 1) % _actors.length];
        _trySubmitResult(actor, id, j, timing);
    }

    function _trySubmitResult(address actor, uint64 id, IAIJobManager.Job memory j, uint256 timing) private {
        if (j.state == IAIJobManager.JobState.Claimed) {
            if (timing % 3 == 1) _warpForward(jobManager.claimEnd(j));
            else if (timing % 3 == 2) _warpForward(jobManager.claimEnd(j) + (timing / 3) % (j.maxRuntime + 2));
        }
        bool assigned = j.state == IAIJobManager.JobState.Claimed && j.claimer == actor;
        vm.recordLogs();
        vm.prank(actor);
        try jobManager.submitResult(id, j, keccak256(abi.encode(id, actor)), bytes32(0), "ipfs://out") {
            _ingest();
            if (!assigned) nonClaimerSubmitted = true;
            resultSubmitter[id] = actor;
            ++count["result"];
            _observe(id, true);
        } catch {
            if (!assigned) ++count["resultRejectedNotClaimer"];
            _observe(id, false);
        }
    }

    function addStake(uint256 nodeSeed, uint256 amountSeed) external {
        address node = _nodes[nodeSeed % _nodes.length];
        uint256 amount = bound(amountSeed, 0, 500e6);
        token.mint(node, amount);
        vm.prank(node);
        try nodeRegistry.addStake(amount) {
            ++count["addStake"];
        } catch {
            ++count["addStakeRejected"];
        }
        _observe(0, false);
    }

    function requestUnstake(uint256 nodeSeed, uint256 amountSeed) external {
        address node = _nodes[nodeSeed % _nodes.length];
        uint256 amount = bound(amountSeed, 0, nodeRegistry.getNode(node).stake);
        vm.prank(node);
        try nodeRegistry.requestUnstake(amount) {
            ++count["requestUnstake"];
        } catch {
            ++count["requestUnstakeRejected"];
        }
        _observe(0, false);
    }

    function withdrawStake(uint256 nodeSeed, bool waitDelay) external {
        address node = _nodes[nodeSeed % _nodes.length];
        if (waitDelay) _warpForward(nodeRegistry.getNode(node).unbondingEnds);
        uint256 before = token.balanceOf(node);
        uint256 unbonding = nodeRegistry.getNode(node).unbonding;
        vm.prank(node);
        try nodeRegistry.withdraw() {
            ++count["withdrawStake"];
            if (token.balanceOf(node) - before != unbonding) payoutMismatch = true;
        } catch {
            ++count["withdrawStakeRejected"];
        }
        _observe(0, false);
    }

    function finalize(uint256 jobSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, RESULT_SUBMITTED);
        if (has) _doFinalize(id, timing);
    }

    function _doFinalize(uint64 id, uint256 timing) private {
        IAIJobManager.Job memory j = _records[id];
        if (timing % 3 != 0 && j.state == IAIJobManager.JobState.ResultSubmitted) {
            _warpForward(uint256(j.resultAt) + jobManager.challengeWindow() + (timing % 3 == 2 ? 7 : 0));
        }
        uint256 nodeBefore = j.claimer == address(0) ? 0 : jobManager.balanceOf(j.claimer);
        uint256 requesterBefore = jobManager.balanceOf(j.requester);
        vm.recordLogs();
        try jobManager.finalize(id, j) {
            _ingest();
            ++settleCount[id];
            ++finalizeCount[id];
            ghostExpectedNodeCredits += j.price;
            if (jobManager.balanceOf(j.claimer) - nodeBefore != j.price) payoutMismatch = true;
            if (jobManager.balanceOf(j.requester) - requesterBefore != j.maxPrice - j.price) payoutMismatch = true;
            ++count["finalize"];
            _observe(id, true);
        } catch {
            _observe(id, false);
        }
    }

    function expire(uint256 jobSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, OPEN_OR_CLAIMED);
        if (!has) return;
        IAIJobManager.Job memory j = _records[id];
        if (timing % 3 != 0) {
            if (j.state == IAIJobManager.JobState.Open) _warpForward(jobManager.claimEnd(j));
            else if (j.state == IAIJobManager.JobState.Claimed) _warpForward(jobManager.deadline(j) + 1);
        }
        uint256 requesterTokens = token.balanceOf(j.requester);
        uint256 requesterBefore = jobManager.balanceOf(j.requester);
        vm.recordLogs();
        try jobManager.expire(id, j) {
            _ingest();
            IAIJobManager.JobState s = _records[id].state;
            if (j.state == IAIJobManager.JobState.Claimed) {
                ++count["expireSlash"];
                uint256 bond = uint256(j.price) * jobManager.bondBps() / BPS;
                if (token.balanceOf(j.requester) - requesterTokens != bond) payoutMismatch = true;
            } else {
                ++count["expireNoClaim"];
            }
            if (s == IAIJobManager.JobState.Expired) {
                ++settleCount[id];
                ++count["expireRefund"];
                if (jobManager.balanceOf(j.requester) - requesterBefore != j.maxPrice) payoutMismatch = true;
            }
            _observe(id, true);
        } catch {
            _observe(id, false);
        }
    }

    function resolveUnverified(uint256 jobSeed, bool waitTimeout) external {
        (bool has, uint64 id) = _pickIn(jobSeed, DISPUTED);
        if (has) _doResolve(id, waitTimeout);
    }

    /// @notice Moves an unfinished job one natural step along its happy path (claim, outbid, result, finalize
    /// or challenge, dispute fallback), warping as needed: keeps deep paths frequent in short random runs.
    function advance(uint256 jobSeed, uint256 seed) external {
        (bool has, uint64 id) = _pickIn(4 * (jobSeed % (1 << 64)) + 1, UNFINISHED);
        if (!has) return;
        IAIJobManager.Job memory j = _records[id];
        address node = _nodes[seed % _nodes.length];
        if (j.state == IAIJobManager.JobState.Open) {
            _doClaim(node, id, bound(seed >> 8, 1, j.maxPrice), 1);
        } else if (j.state == IAIJobManager.JobState.Claimed) {
            bool inWindow = vm.getBlockTimestamp() < jobManager.claimEnd(j);
            if (inWindow && seed % 3 == 0 && j.price > 1) {
                _doClaim(node, id, bound(seed >> 8, 1, j.price - 1), 0); // outbid
            } else {
                _trySubmitResult(j.claimer, id, j, 1);
            }
        } else if (j.state == IAIJobManager.JobState.ResultSubmitted) {
            if (seed % 4 == 0) {
                _doChallenge(id, seed >> 16, 0);
            } else if (
                (proofOfCompute.auditRateOf(j.verification) != 0 && seed % 4 == 1)
                    || proofOfCompute.auditDue(id, j.verification, jobManager.lastChangeBlock(id))
            ) {
                _doAudit(id, 1);
            } else {
                _doFinalize(id, 1);
            }
        } else if (j.state == IAIJobManager.JobState.Disputed) {
            _advanceDispute(id, seed);
        }
    }

    function withdraw(uint256 actorSeed) external {
        address actor = _actors[actorSeed % _actors.length];
        uint256 amount = jobManager.balanceOf(actor);
        uint256 before = token.balanceOf(actor);
        vm.prank(actor);
        try jobManager.withdraw(actor) {
            withdrawnBy[actor] += amount;
            if (token.balanceOf(actor) - before != amount) payoutMismatch = true;
            ++count["withdraw"];
        } catch {
            ++count["withdrawRejected"];
        }
        _observe(0, false);
    }

    function warp(uint256 secondsSeed) external {
        _warpForward(vm.getBlockTimestamp() + bound(secondsSeed, 1, 700));
        _observe(0, false);
    }

    /// @notice Mines blocks without moving time (past 256 of them, seeds are lost).
    function roll(uint256 blocksSeed) external {
        vm.roll(vm.getBlockNumber() + bound(blocksSeed, 1, 300));
        _observe(0, false);
    }

    // ================================================================ verification

    /// @notice Draws the audit of a job with a result. `timing`: 0 now, 1 just past its seed block, 2 more than
    /// 256 blocks past it (the seed gone: audited).
    function audit(uint256 jobSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, RESULT_SUBMITTED);
        if (has) _doAudit(id, timing);
    }

    function _doAudit(uint64 id, uint256 timing) private {
        IAIJobManager.Job memory j = _records[id];
        uint256 seedBlock = jobManager.lastChangeBlock(id) + proofOfCompute.auditDelay();
        if (j.state == IAIJobManager.JobState.ResultSubmitted) {
            if (timing % 3 == 1 && vm.getBlockNumber() <= seedBlock) vm.roll(seedBlock + 1);
            else if (timing % 3 == 2 && vm.getBlockNumber() <= seedBlock + 256) vm.roll(seedBlock + 257);
        }
        bytes32 h = seedBlock < vm.getBlockNumber() ? _seedOf(seedBlock) : bytes32(0);
        uint256 rate = proofOfCompute.auditRateOf(j.verification);
        bool expectAudit = rate != 0 && (h == 0 || uint256(keccak256(abi.encode(h, id))) % BPS < rate);
        vm.recordLogs();
        try proofOfCompute.drawAudit(id, j) {
            _ingest();
            bool audited = _records[id].state == IAIJobManager.JobState.Disputed;
            if (audited != expectAudit) _flag("audit draw");
            if (audited) ++count[h == 0 ? bytes32("auditSeedGone") : bytes32("auditDisputed")];
            else ++count["auditCleared"];
            _observe(id, audited);
        } catch {
            _observe(id, false);
        }
    }

    /// @notice Fixes (or re-arms) a dispute's verifier seed. `timing`: 0 now, 1 just past its seed block,
    /// 2 more than 256 blocks past it (the seed gone: re-armed).
    function drawVerifiers(uint256 jobSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, DISPUTED);
        if (has) _doDrawVerifiers(id, timing);
    }

    function _doDrawVerifiers(uint64 id, uint256 timing) private {
        (, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
        if (draw.worker != address(0) && draw.seed == 0) {
            if (timing % 3 == 1 && vm.getBlockNumber() <= draw.seedBlock) vm.roll(draw.seedBlock + 1);
            else if (timing % 3 == 2 && vm.getBlockNumber() <= draw.seedBlock + 256) vm.roll(draw.seedBlock + 257);
        }
        try proofOfCompute.drawVerifiers(id) {
            (, ProofOfCompute.Draw memory drawn) = proofOfCompute.disputeOf(id);
            if (drawn.seed != 0) {
                ++count["verifiersDrawn"];
            } else {
                ++count["verifiersRearmed"];
                if (drawn.seedBlock <= vm.getBlockNumber()) _flag("re-armed to a past block");
            }
        } catch {
            ++count["drawVerifiersRejected"];
        }
        _observe(0, false);
    }

    /// @notice A verifier commits its vote on a disputed job: mostly one drawn in this round that has not voted
    /// (honest: agrees iff the worker did not cheat; one in four the other way), one in eight anyone at any
    /// index (must fail unless drawn there). `timing` 2: after the commit phase (must fail).
    function commitVote(uint256 jobSeed, uint256 pickSeed, uint256 voteSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, DISPUTED);
        if (has) _doCommit(id, pickSeed, voteSeed, timing);
    }

    function _doCommit(uint64 id, uint256 pickSeed, uint256 voteSeed, uint256 timing) private {
        _fixSeedNow(id);
        (ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
        uint256 limit = 2 * uint256(proofOfCompute.verifiers());
        address who;
        uint256 index;
        if (pickSeed % 8 != 7 && draw.seed != 0) (who, index) = _eligibleAt(id, d, draw, pickSeed / 8);
        if (who == address(0)) {
            who = _actors[(pickSeed / 8) % _actors.length];
            index = (pickSeed / 64) % (limit + 1);
        }
        if (timing % 3 == 2 && d.openedAt != 0) _warpForward(d.commitEnd);
        bool may = d.openedAt != 0 && vm.getBlockTimestamp() < d.commitEnd && d.commits < proofOfCompute.verifiers()
            && index < limit && draw.seed != 0 && proofOfCompute.verifierAt(id, d.round, index) == who
            && who != draw.worker && who != d.challenger
            && proofOfCompute.voteOf(id, who).status == ProofOfCompute.VoteStatus.None;
        Ballot memory b = _ballot(id, who, voteSeed);
        vm.prank(who);
        try proofOfCompute.commit(id, index, keccak256(abi.encode(id, who, b.result, b.agrees, b.salt))) {
            if (!may) _flag("commit");
            _voters[id].push(who);
            _ballots[id][who] = b;
            ++count["commit"];
        } catch {
            ++count["commitRejected"];
        }
        _observe(0, false);
    }

    /// @dev `who`'s vote on `id`: honest unless `voteSeed % 4 == 0`; in exact mode the result is the worker's
    /// output root iff it agrees, in metric mode a metric and the verdict.
    function _ballot(uint64 id, address who, uint256 voteSeed) private view returns (Ballot memory b) {
        b.agrees = !workerCheats(id);
        if (voteSeed % 4 == 0) b.agrees = !b.agrees;
        IAIJobManager.Job memory j = _records[id];
        if (j.verification & METRIC_MODE != 0) b.result = bytes32(uint256(b.agrees ? 9100 : 4200));
        else b.result = b.agrees ? j.outputRoot : keccak256(abi.encode("wrong", id));
        b.salt = keccak256(abi.encode(id, who, voteSeed));
    }

    /// @notice A verifier that committed in this round reveals (or anyone: must fail). `timing`: 0 now, 1 once
    /// the reveal phase is open, 2 after it closed (must fail); `saltSeed % 6 == 0`: a wrong salt (must fail).
    function revealVote(uint256 jobSeed, uint256 voterSeed, uint256 timing, uint256 saltSeed) external {
        (bool has, uint64 id) = _pickIn(jobSeed, DISPUTED);
        if (has) _doReveal(id, voterSeed, timing, saltSeed);
    }

    function _doReveal(uint64 id, uint256 voterSeed, uint256 timing, uint256 saltSeed) private {
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        (address who, bool found) = _pendingVoter(id, d.round, voterSeed);
        if (!found) who = _actors[voterSeed % _actors.length];
        if (d.openedAt != 0) {
            if (timing % 3 == 1 && d.commits < proofOfCompute.verifiers()) _warpForward(d.commitEnd);
            else if (timing % 3 == 2) _warpForward(_revealEnd(d));
        }
        Ballot memory b = _ballots[id][who];
        bool wrongSalt = saltSeed % 6 == 0;
        uint256 nowTs = vm.getBlockTimestamp();
        bool may = found && !wrongSalt && (d.commits >= proofOfCompute.verifiers() || nowTs >= d.commitEnd)
            && nowTs < _revealEnd(d);
        IAIJobManager.Job memory j = _records[id];
        bool agrees = j.verification & METRIC_MODE != 0 ? b.agrees : b.result == j.outputRoot;
        vm.prank(who);
        try proofOfCompute.reveal(id, j, b.result, b.agrees, wrongSalt ? keccak256(abi.encode(b.salt)) : b.salt) {
            if (!may) _flag("reveal");
            if (agrees) ++ghostAgree[id];
            else ++ghostDisagree[id];
            (ProofOfCompute.Dispute memory t,) = proofOfCompute.disputeOf(id);
            if (t.agree != ghostAgree[id] || t.disagree != ghostDisagree[id]) _flag("tally");
            ++count["reveal"];
        } catch {
            ++count["revealRejected"];
        }
        _observe(0, false);
    }

    /// @notice Resolves a dispute with its majority, sorted. `timing` 1: after the reveal phase;
    /// `listSeed % 5 == 0`: a wrong list (unsorted, short, long or with a non-member; must fail).
    function resolveDispute(uint256 jobSeed, uint256 timing, uint256 listSeed) external {
        (bool has, uint64 id) = _pickIn(jobSeed, DISPUTED);
        if (has) _doResolveDispute(id, timing, listSeed);
    }

    function _doResolveDispute(uint64 id, uint256 timing, uint256 listSeed) private {
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        if (timing % 3 == 1 && d.openedAt != 0) _warpForward(_revealEnd(d));
        bool upheld = d.agree >= _needed();
        address[] memory majority =
            _side(id, upheld ? ProofOfCompute.VoteStatus.Agreed : ProofOfCompute.VoteStatus.Disagreed);
        bool wrong = listSeed % 5 == 0;
        if (wrong) majority = _spoil(majority, listSeed / 5);
        bool may = !wrong && d.openedAt != 0 && _hasMajority(d)
            && (d.agree + d.disagree >= d.commits || vm.getBlockTimestamp() >= _revealEnd(d));
        IAIJobManager.Job memory j = _records[id];
        Verdict memory v = _expectVerdict(j, d.challenger, upheld, majority, may);
        vm.recordLogs();
        try proofOfCompute.resolve(id, j, majority) {
            _settled(id, j, v, may, "resolve");
            ++count[upheld ? bytes32("resolveUpheld") : bytes32("resolveRejected")];
            _observe(id, true);
        } catch {
            ++count["resolveDisputeRejected"];
            _observe(id, false);
        }
    }

    /// @notice Settles a dispute's round with k signed votes (`resolveSigned`): its first k drawn verifiers that
    /// may vote, by `_ballot` (one seed for all, so unanimous; `voteSeed % 3 == 2`: one seed each, often split).
    /// `spoilSeed % 4 == 0`: a spoiled batch (wrong signer, result changed after signing, a duplicate verifier,
    /// a wrong count, signed for another round; must fail).
    function resolveSigned(uint256 jobSeed, uint256 voteSeed, uint256 spoilSeed) external {
        (bool has, uint64 id) = _pickIn(jobSeed, DISPUTED);
        if (has) _doResolveSigned(id, voteSeed, spoilSeed);
    }

    function _doResolveSigned(uint64 id, uint256 voteSeed, uint256 spoilSeed) private {
        _fixSeedNow(id);
        (ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
        SignedBatch memory b = _signedBatch(id, d, draw, voteSeed);
        bool spoiled = spoilSeed % 4 == 0 && b.votes.length != 0;
        if (spoiled) _spoilSigned(id, d.round, b, spoilSeed / 4);
        // Exact: the call checks nothing else (no phase, no deadline).
        bool may = !spoiled && d.openedAt != 0 && d.commits == 0 && b.unanimous
            && b.votes.length == proofOfCompute.verifiers();
        IAIJobManager.Job memory j = _records[id];
        Verdict memory v = _expectVerdict(j, d.challenger, b.upheld, b.who, may);
        vm.recordLogs();
        try proofOfCompute.resolveSigned(id, j, b.votes) {
            _settled(id, j, v, may, "resolveSigned");
            for (uint256 i; i < b.who.length; ++i) {
                _voters[id].push(b.who[i]);
            }
            ++count[b.upheld ? bytes32("resolveSignedUpheld") : bytes32("resolveSignedRejected")];
            _observe(id, true);
        } catch {
            if (may) _flag("resolveSigned rejected");
            ++count["resolveSignedRejectedCall"];
            _observe(id, false);
        }
    }

    /// @dev Signed votes of the first k verifiers of this round's draw that may vote (`_eligible`, not the
    /// challenger), fewer when there are not k.
    function _signedBatch(
        uint64 id,
        ProofOfCompute.Dispute memory d,
        ProofOfCompute.Draw memory draw,
        uint256 voteSeed
    ) private view returns (SignedBatch memory b) {
        (address[] memory who, uint256[] memory index) = _eligible(id, d, draw);
        uint256 k = proofOfCompute.verifiers();
        b.who = new address[](k);
        b.votes = new ProofOfCompute.SignedVote[](k);
        b.unanimous = true;
        uint256 n;
        for (uint256 i; i < who.length && n < k; ++i) {
            if (who[i] == d.challenger) continue;
            uint256 s = voteSeed % 3 == 2 ? uint256(keccak256(abi.encode(voteSeed, n))) : voteSeed;
            Ballot memory bl = _ballot(id, who[i], s);
            b.votes[n] = _signedVote(id, d.round, who[i], index[i], bl);
            if (n == 0) b.upheld = bl.agrees;
            else if (bl.agrees != b.upheld) b.unanimous = false;
            b.who[n++] = who[i];
        }
        ProofOfCompute.SignedVote[] memory votes = b.votes;
        address[] memory list = b.who;
        assembly ("memory-safe") {
            mstore(votes, n)
            mstore(list, n)
        }
    }

    /// @dev `who`'s vote at draw index `index` with ballot `bl`, signed by `who` for `round`.
    function _signedVote(uint64 id, uint8 round, address who, uint256 index, Ballot memory bl)
        private
        view
        returns (ProofOfCompute.SignedVote memory vote)
    {
        vote.index = index;
        vote.result = bl.result;
        vote.agrees = bl.agrees;
        vote.salt = bl.salt;
        (vote.r, vote.vs) = _signBallot(_keyOf[who], id, round, who, vote);
    }

    /// @dev The EIP-712 compact (EIP-2098) signature by `key` of the Ballot for `verifier`'s `vote`, built from
    /// the standard (domain "ArthaAIN ProofOfCompute" version "1"), not from the contract's code.
    function _signBallot(
        uint256 key,
        uint64 id,
        uint8 round,
        address verifier,
        ProofOfCompute.SignedVote memory vote
    ) private view returns (bytes32, bytes32) {
        bytes32 commitment = keccak256(abi.encode(id, verifier, vote.result, vote.agrees, vote.salt));
        bytes32 domain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("ArthaAIN ProofOfCompute"),
                keccak256("1"),
                block.chainid,
                address(proofOfCompute)
            )
        );
        bytes32 ballot = keccak256(abi.encode(BALLOT_TYPEHASH, id, round, commitment));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domain, ballot)));
        return (r, bytes32((uint256(v - 27) << 255) | uint256(s)));
    }

    /// @dev Spoils a batch so the call must fail: signed by another node, the result changed after signing, a
    /// duplicate verifier, one vote short or one too many, or signed for another round.
    function _spoilSigned(uint64 id, uint8 round, SignedBatch memory b, uint256 seed) private view {
        uint256 how = seed % 5;
        ProofOfCompute.SignedVote memory first = b.votes[0];
        if (how == 0) {
            (first.r, first.vs) = _signBallot(_keyOf[_otherNode(b.who[0])], id, round, b.who[0], first);
        } else if (how == 1) {
            first.result = keccak256(abi.encode(first.result));
        } else if (how == 4) {
            (first.r, first.vs) = _signBallot(_keyOf[b.who[0]], id, round + 1, b.who[0], first);
        } else if (how == 2 && b.votes.length >= 2) {
            b.votes[1] = first;
        } else {
            b.votes = _resized(b.votes, seed / 5 % 2 == 0 ? b.votes.length - 1 : b.votes.length + 1);
        }
    }

    /// @dev `votes` cut to `n`, or grown to `n` with copies of its first vote.
    function _resized(ProofOfCompute.SignedVote[] memory votes, uint256 n)
        private
        pure
        returns (ProofOfCompute.SignedVote[] memory out)
    {
        out = new ProofOfCompute.SignedVote[](n);
        for (uint256 i; i < n; ++i) {
            out[i] = i < votes.length ? votes[i] : votes[0];
        }
    }

    /// @dev The node after `node` in the node list.
    function _otherNode(address node) private view returns (address) {
        for (uint256 i; i < _nodes.length; ++i) {
            if (_nodes[i] == node) return _nodes[(i + 1) % _nodes.length];
        }
        return _nodes[0];
    }

    /// @dev Records a verdict's expectations (credits only when `may`: otherwise it must not go through).
    function _expectVerdict(
        IAIJobManager.Job memory j,
        address challenger,
        bool upheld,
        address[] memory majority,
        bool may
    ) private view returns (Verdict memory v) {
        v.upheld = upheld;
        v.challenger = challenger;
        v.majority = majority;
        if (may) (v.accounts, v.expected) = _verdictCredits(j, upheld, challenger, majority);
        v.before = new uint256[](v.accounts.length);
        for (uint256 i; i < v.accounts.length; ++i) {
            v.before[i] = jobManager.balanceOf(v.accounts[i]);
        }
        v.bondTo = upheld ? j.claimer : challenger;
        v.bondToBefore = token.balanceOf(v.bondTo);
    }

    /// @dev A verdict went through (`resolve` or `resolveSigned`): the job settled; flags `what` when the rules
    /// forbade it, else checks its credits and the challenge bond against `v`.
    function _settled(uint64 id, IAIJobManager.Job memory j, Verdict memory v, bool may, bytes32 what) private {
        _ingest();
        ++settleCount[id];
        if (!may) {
            _flag(what);
            return;
        }
        _creditVerdict(id, j, v);
        if (v.challenger != address(0)) {
            if (token.balanceOf(v.bondTo) - v.bondToBefore != proofOfCompute.challengeBond()) payoutMismatch = true;
        }
    }

    function _creditVerdict(uint64 id, IAIJobManager.Job memory j, Verdict memory v) private {
        for (uint256 i; i < v.accounts.length; ++i) {
            if (jobManager.balanceOf(v.accounts[i]) - v.before[i] != v.expected[i]) payoutMismatch = true;
            if (_isNode(v.accounts[i])) {
                ghostExpectedNodeCredits += v.expected[i];
                ghostNodeVerdictCredits += v.expected[i] - (v.upheld && v.accounts[i] == j.claimer ? j.price : 0);
            }
        }
        for (uint256 i; i < v.majority.length; ++i) {
            if (++verifierPaid[id][v.majority[i]] > 1) verifierPaidTwice = true;
        }
        if (v.upheld) ++finalizeCount[id];
        else ghostSlashedBonds += uint256(j.price) * jobManager.bondBps() / BPS;
    }

    /// @dev The job-manager credits a verdict must make, per account (accounts merged), by the payout rules:
    /// each majority verifier an equal k-th of the verification budget; upheld, the worker its price; not
    /// upheld, the worker's bond split among the majority, a challenger and the requester; the requester the rest.
    function _verdictCredits(IAIJobManager.Job memory j, bool upheld, address challenger, address[] memory majority)
        private
        view
        returns (address[] memory accounts, uint256[] memory amounts)
    {
        accounts = new address[](majority.length + 3);
        amounts = new uint256[](majority.length + 3);
        uint256 n = majority.length;
        uint256 fee = uint256(j.maxPrice) * jobManager.verificationBudgetBps() / BPS / proofOfCompute.verifiers();
        uint256 rest = j.maxPrice;
        uint256 m;
        if (upheld) {
            for (uint256 i; i < n; ++i) {
                m = _add(accounts, amounts, m, majority[i], fee);
            }
            m = _add(accounts, amounts, m, j.claimer, j.price);
            rest -= n * fee + j.price;
        } else {
            uint256 bond = uint256(j.price) * jobManager.bondBps() / BPS;
            uint256 each = fee + bond * proofOfCompute.slashVerifiersBps() / BPS / n;
            for (uint256 i; i < n; ++i) {
                m = _add(accounts, amounts, m, majority[i], each);
            }
            rest = rest + bond - n * each;
            if (challenger != address(0)) {
                uint256 share = bond * proofOfCompute.slashChallengerBps() / BPS;
                m = _add(accounts, amounts, m, challenger, share);
                rest -= share;
            }
        }
        m = _add(accounts, amounts, m, j.requester, rest);
        assembly ("memory-safe") {
            mstore(accounts, m)
            mstore(amounts, m)
        }
    }

    function _add(address[] memory accounts, uint256[] memory amounts, uint256 m, address a, uint256 amount)
        private
        pure
        returns (uint256)
    {
        for (uint256 i; i < m; ++i) {
            if (accounts[i] == a) {
                amounts[i] += amount;
                return m;
            }
        }
        accounts[m] = a;
        amounts[m] = amount;
        return m + 1;
    }

    /// @notice Starts a dispute's next round. `timing` 1: after the reveal phase.
    function nextRound(uint256 jobSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, DISPUTED);
        if (has) _doNextRound(id, timing);
    }

    function _doNextRound(uint64 id, uint256 timing) private {
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        if (timing % 3 == 1 && d.openedAt != 0) _warpForward(_revealEnd(d));
        bool may = d.openedAt != 0 && vm.getBlockTimestamp() >= _revealEnd(d) && !_hasMajority(d)
            && d.round < proofOfCompute.maxRounds();
        try proofOfCompute.nextRound(id, _records[id]) {
            if (!may) _flag("nextRound");
            (ProofOfCompute.Dispute memory t, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
            if (t.round != d.round + 1 || t.commits != t.agree + t.disagree || draw.seed != 0) {
                _flag("nextRound state");
            }
            ++count["nextRound"];
        } catch {
            ++count["nextRoundRejected"];
        }
        _observe(0, false);
    }

    /// @notice Slashes a verifier that committed and did not reveal (or anyone: must fail unless absent).
    /// `timing` 1: after the reveal phase of the verifier's round.
    function slashAbsent(uint256 jobSeed, uint256 voterSeed, uint256 timing) external {
        (bool has, uint64 id) = _pickIn(jobSeed, VERDICT_STATES);
        if (has) _doSlashAbsent(id, voterSeed, timing);
    }

    function _doSlashAbsent(uint64 id, uint256 voterSeed, uint256 timing) private {
        address who = _committedVoter(id, voterSeed);
        if (who == address(0)) {
            uint256 nv = _voters[id].length;
            who = nv != 0 ? _voters[id][voterSeed % nv] : _actors[voterSeed % _actors.length];
        }
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        ProofOfCompute.Vote memory v = proofOfCompute.voteOf(id, who);
        if (timing % 3 == 1 && d.openedAt != 0 && v.round == d.round) _warpForward(_revealEnd(d));
        bool may = v.status == ProofOfCompute.VoteStatus.Committed
            && (d.openedAt == 0 || v.round != d.round || vm.getBlockTimestamp() >= _revealEnd(d));
        NodeRegistry.Node memory n = nodeRegistry.getNode(who);
        uint256 free = uint256(n.stake) - n.locked;
        uint256 penalty = proofOfCompute.absentPenalty();
        uint256 taken = penalty < free ? penalty : free;
        IAIJobManager.Job memory j = _records[id];
        uint256 requesterTokens = token.balanceOf(j.requester);
        try proofOfCompute.slashAbsent(id, j, who) {
            if (!may) _flag("slashAbsent");
            if (token.balanceOf(j.requester) - requesterTokens != taken) payoutMismatch = true;
            if (nodeRegistry.getNode(who).stake != n.stake - taken) payoutMismatch = true;
            ++count["slashAbsent"];
        } catch {
            ++count["slashAbsentRejected"];
        }
        _observe(0, false);
    }

    /// @dev One natural step of a dispute: fix the seed, commit (or, `seed / 4 % 4 == 3` before any commit,
    /// settle with signed votes), reveal, resolve, slash the absent, a new round, or the fallback.
    function _advanceDispute(uint64 id, uint256 seed) private {
        (ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
        if (draw.seed == 0) {
            _doDrawVerifiers(id, 1);
            return;
        }
        uint256 nowTs = vm.getBlockTimestamp();
        (address pending,) = _pendingVoter(id, d.round, seed);
        if (d.commits == 0 && (seed >> 2) % 4 == 3) {
            _doResolveSigned(id, seed >> 8, 1);
        } else if (d.commits < proofOfCompute.verifiers() && nowTs < d.commitEnd && _eligibleCount(id, d, draw) != 0) {
            _doCommit(id, seed & ~uint256(7), seed >> 8, 0);
        } else if (pending != address(0) && nowTs < _revealEnd(d)) {
            _doReveal(id, seed, 1, 1);
        } else if (_hasMajority(d)) {
            _doResolveDispute(id, 1, 1);
        } else if (pending != address(0)) {
            _doSlashAbsent(id, seed, 0);
        } else if (d.round < proofOfCompute.maxRounds()) {
            _doNextRound(id, 1);
        } else {
            _doResolve(id, true);
        }
    }

    /// @dev Fixes an open dispute's verifier seed: rolls past its block, re-arms once when it was gone.
    function _fixSeedNow(uint64 id) private {
        for (uint256 i; i < 2; ++i) {
            (, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
            if (draw.seed != 0 || draw.worker == address(0)) return;
            if (vm.getBlockNumber() <= draw.seedBlock) vm.roll(uint256(draw.seedBlock) + 1);
            try proofOfCompute.drawVerifiers(id) {
                ++count[i == 0 ? bytes32("verifiersDrawn") : bytes32("verifiersDrawnAfterRearm")];
            } catch {
                return;
            }
        }
    }

    /// @dev The distinct verifiers of this round's draw that may still commit (not the worker, no vote yet),
    /// the `pick`-th of them (mod their number) with its index; zero when there is none.
    function _eligibleAt(uint64 id, ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw, uint256 pick)
        private
        view
        returns (address, uint256)
    {
        (address[] memory who, uint256[] memory index) = _eligible(id, d, draw);
        if (who.length == 0) return (address(0), 0);
        uint256 k = pick % who.length;
        return (who[k], index[k]);
    }

    function _eligibleCount(uint64 id, ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw)
        private
        view
        returns (uint256)
    {
        (address[] memory who,) = _eligible(id, d, draw);
        return who.length;
    }

    function _eligible(uint64 id, ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw)
        private
        view
        returns (address[] memory who, uint256[] memory index)
    {
        uint256 limit = 2 * uint256(proofOfCompute.verifiers());
        who = new address[](limit);
        index = new uint256[](limit);
        uint256 n;
        if (draw.seed == 0) limit = 0;
        for (uint256 i; i < limit; ++i) {
            address v = proofOfCompute.verifierAt(id, d.round, i);
            bool skip = v == draw.worker || proofOfCompute.voteOf(id, v).status != ProofOfCompute.VoteStatus.None;
            for (uint256 x; x < n && !skip; ++x) {
                skip = who[x] == v;
            }
            if (skip) continue;
            who[n] = v;
            index[n] = i;
            ++n;
        }
        assembly ("memory-safe") {
            mstore(who, n)
            mstore(index, n)
        }
    }

    /// @dev A verifier that committed in `round` and has not revealed, by seed; zero and false when none.
    function _pendingVoter(uint64 id, uint8 round, uint256 seed) private view returns (address, bool) {
        address[] storage vs = _voters[id];
        address[] memory found = new address[](vs.length);
        uint256 m;
        for (uint256 i; i < vs.length; ++i) {
            ProofOfCompute.Vote memory v = proofOfCompute.voteOf(id, vs[i]);
            if (v.status == ProofOfCompute.VoteStatus.Committed && v.round == round) found[m++] = vs[i];
        }
        if (m == 0) return (address(0), false);
        return (found[seed % m], true);
    }

    /// @dev A verifier of any round whose vote is still `Committed` (absent unless its round is running).
    function _committedVoter(uint64 id, uint256 seed) private view returns (address) {
        address[] storage vs = _voters[id];
        address[] memory found = new address[](vs.length);
        uint256 m;
        for (uint256 i; i < vs.length; ++i) {
            if (proofOfCompute.voteOf(id, vs[i]).status == ProofOfCompute.VoteStatus.Committed) found[m++] = vs[i];
        }
        return m == 0 ? address(0) : found[seed % m];
    }

    /// @dev The voters of `id` whose vote is `side`, in increasing address order.
    function _side(uint64 id, ProofOfCompute.VoteStatus side) private view returns (address[] memory list) {
        address[] storage vs = _voters[id];
        list = new address[](vs.length);
        uint256 m;
        for (uint256 i; i < vs.length; ++i) {
            if (proofOfCompute.voteOf(id, vs[i]).status != side) continue;
            address a = vs[i];
            uint256 k = m++;
            while (k != 0 && list[k - 1] > a) {
                list[k] = list[k - 1];
                --k;
            }
            list[k] = a;
        }
        assembly ("memory-safe") {
            mstore(list, m)
        }
    }

    /// @dev A majority list made wrong: unsorted, a duplicate, one short, one too many, or with someone who did
    /// not vote.
    function _spoil(address[] memory list, uint256 seed) private view returns (address[] memory out) {
        uint256 how = seed % 5;
        address outsider = _actors[_actors.length - 1];
        if (how == 0 && list.length >= 2) {
            (list[0], list[1]) = (list[1], list[0]);
            return list;
        }
        if (how == 4 && list.length >= 2) {
            list[1] = list[0];
            return list;
        }
        if (how == 1 && list.length != 0) {
            out = new address[](list.length - 1);
            for (uint256 i; i < out.length; ++i) {
                out[i] = list[i];
            }
            return out;
        }
        if (how == 2 && list.length != 0) {
            list[0] = outsider;
            return list;
        }
        out = new address[](list.length + 1);
        for (uint256 i; i < list.length; ++i) {
            out[i] = list[i];
        }
        out[list.length] = outsider;
    }

    // ================================================================ internals

    function _doResolve(uint64 id, bool waitTimeout) private {
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        if (waitTimeout && d.openedAt != 0) {
            _warpForward(uint256(d.openedAt) + proofOfCompute.disputeTimeout());
            // Commitments still to reveal hold the fallback until their reveal phase ends.
            if (d.agree + d.disagree < d.commits) _warpForward(_revealEnd(d));
        }
        IAIJobManager.Job memory j = _records[id];
        uint256 requesterBefore = jobManager.balanceOf(j.requester);
        uint256 challengerTokens = d.challenger == address(0) ? 0 : token.balanceOf(d.challenger);
        vm.recordLogs();
        try proofOfCompute.resolveUnverified(id, j) {
            _ingest();
            ++settleCount[id];
            ++count["resolve"];
            if (jobManager.balanceOf(j.requester) - requesterBefore != j.maxPrice) payoutMismatch = true;
            if (
                d.challenger != address(0)
                    && token.balanceOf(d.challenger) - challengerTokens != proofOfCompute.challengeBond()
            ) payoutMismatch = true;
            if (_hasMajority(d)) _flag("fallback despite a majority");
            _observe(id, true);
        } catch {
            _observe(id, false);
        }
    }

    /// @dev The seed a draw reads for `blockNumber`: the seed source's, or the block hash when there is none.
    function _seedOf(uint256 blockNumber) private view returns (bytes32) {
        address source = address(proofOfCompute.seedSource());
        return source == address(0) ? blockhash(blockNumber) : proofOfCompute.seedSource().seedOf(blockNumber);
    }

    function _needed() private view returns (uint256) {
        return uint256(proofOfCompute.verifiers()) / 2 + 1;
    }

    function _hasMajority(ProofOfCompute.Dispute memory d) private view returns (bool) {
        return d.agree >= _needed() || d.disagree >= _needed();
    }

    function _revealEnd(ProofOfCompute.Dispute memory d) private view returns (uint256) {
        return uint256(d.commitEnd) + proofOfCompute.revealWindow();
    }

    function _isNode(address a) private view returns (bool) {
        for (uint256 i; i < _nodes.length; ++i) {
            if (_nodes[i] == a) return true;
        }
        return false;
    }

    /// @dev Any job, by seed.
    function _pick(uint256 jobSeed) private view returns (bool, uint64) {
        uint64 n = jobManager.jobCount();
        if (n == 0) return (false, 0);
        return (true, uint64(1 + jobSeed % n));
    }

    /// @dev Three times in four a job whose state is in `mask` (bit i = JobState(i)), so that short random runs
    /// reach deep paths; otherwise, or when none matches, any job (so that actions in wrong states are tried too).
    function _pickIn(uint256 jobSeed, uint256 mask) private view returns (bool, uint64) {
        uint64 n = jobManager.jobCount();
        if (n == 0) return (false, 0);
        if (jobSeed % 4 != 0) {
            uint64[] memory matching = new uint64[](n);
            uint256 m;
            for (uint64 id = 1; id <= n; ++id) {
                if (mask & (1 << uint256(_records[id].state)) != 0) matching[m++] = id;
            }
            if (m != 0) return (true, matching[(jobSeed / 4) % m]);
        }
        return (true, uint64(1 + (jobSeed / 4) % n));
    }

    /// @dev Moves time to `t` (when later) and the chain along with it, a block per 12 seconds.
    function _warpForward(uint256 t) private {
        uint256 nowTs = vm.getBlockTimestamp();
        if (t > nowTs) {
            vm.warp(t);
            vm.roll(vm.getBlockNumber() + (t - nowTs) / 12 + 1);
        }
    }

    function _flag(bytes32 what) private {
        if (!badDisputeStep) {
            badDisputeStep = true;
            badDisputeWhat = what;
        }
    }

    function _req(uint8 gpuCount, uint16 minVramGb, uint8 minCertLevel)
        private
        pure
        returns (INodeRegistry.Requirements memory)
    {
        return INodeRegistry.Requirements({gpuCount: gpuCount, minVramGb: minVramGb, minCertLevel: minCertLevel});
    }

    /// @dev The current records of `jobId`'s dependencies, in `dependenciesOf` order.
    function _depRecs(uint64 jobId) private view returns (IAIJobManager.Job[] memory recs) {
        uint64[] memory ids = jobManager.dependenciesOf(jobId);
        recs = new IAIJobManager.Job[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            recs[i] = _records[ids[i]];
        }
    }

    /// @dev Keeps the record of every job event logged since `vm.recordLogs()` (called right before the action).
    function _ingest() private {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            (bool found, uint64 jobId, IAIJobManager.Job memory job) = JobRecords.decode(logs[i], address(jobManager));
            if (found) _records[jobId] = job;
        }
    }

    /// @dev Compares every job's state with the last observation. A change must be an allowed transition; a
    /// successful action on `touched` that left its state unchanged is a self-loop and must be allowed too.
    /// The states come from the kept records, each checked to be the job's current record.
    function _observe(uint64 touched, bool succeeded) private {
        uint64 n = jobManager.jobCount();
        for (uint64 id = 1; id <= n; ++id) {
            if (!recordMismatch && !jobManager.isCurrent(id, _records[id])) {
                recordMismatch = true;
                recordMismatchJob = id;
            }
            IAIJobManager.JobState s = _records[id].state;
            IAIJobManager.JobState prev = lastState[id];
            bool moved = s != prev || (succeeded && id == touched);
            if (moved && !allowed(prev, s) && !badTransition) {
                badTransition = true;
                badJob = id;
                badFrom = prev;
                badTo = s;
            }
            lastState[id] = s;
        }
    }
}
