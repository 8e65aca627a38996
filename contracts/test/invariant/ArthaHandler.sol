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

    MockToken public immutable token;
    NodeRegistry public immutable nodeRegistry;
    AIJobManager public immutable jobManager;
    ProofOfCompute public immutable proofOfCompute;

    address[] internal _requesters;
    address[] internal _nodes;
    address[] internal _actors; // requesters, nodes, and one outsider

    // ---------------------------------------------------------------- job records

    /// @dev Each job's record as last emitted.
    mapping(uint64 jobId => IAIJobManager.Job) internal _records;

    // ---------------------------------------------------------------- ghosts

    /// @notice Last observed state of each job.
    mapping(uint64 jobId => IAIJobManager.JobState) public lastState;
    /// @notice Successful settlements (finalize, cancel, expiry with refund, dispute fallback) per job.
    mapping(uint64 jobId => uint256) public settleCount;
    /// @notice Successful finalize calls per job.
    mapping(uint64 jobId => uint256) public finalizeCount;
    /// @notice Who submitted the job's result (zero if none).
    mapping(uint64 jobId => address) public resultSubmitter;
    /// @notice Node credits the rules predict: price at finalize, the fixed fee at a cancel after assignment.
    uint256 public ghostExpectedNodeCredits;
    /// @notice Cancel fees alone (part of the above).
    uint256 public ghostCancelFees;
    /// @notice Payouts withdrawn from the job manager, per account.
    mapping(address account => uint256) public withdrawnBy;

    /// @notice Set when a result submission by anyone but the assigned node succeeded.
    bool public nonClaimerSubmitted;
    /// @notice Set when a credit differed from the rules' prediction.
    bool public payoutMismatch;
    /// @notice Set when a call restricted to one party (the requester's cancel) succeeded for another.
    bool public wrongCallerSucceeded;
    /// @notice Set when a job's record kept from the events was not its current record (`isCurrent`).
    bool public recordMismatch;
    uint64 public recordMismatchJob;
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
        address[] memory nodes_,
        address outsider
    ) {
        token = token_;
        nodeRegistry = nodeRegistry_;
        jobManager = jobManager_;
        proofOfCompute = proofOfCompute_;
        _requesters = requesters_;
        _nodes = nodes_;
        for (uint256 i; i < requesters_.length; ++i) {
            _actors.push(requesters_[i]);
        }
        for (uint256 i; i < nodes_.length; ++i) {
            _actors.push(nodes_[i]);
        }
        _actors.push(outsider);
    }

    // ================================================================ views for the invariants

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
    /// Cancelled|Open(reopen after slash)|Expired; ResultSubmitted->Finalized|Disputed; Disputed->Failed.
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
        if (from == IAIJobManager.JobState.Disputed) return to == IAIJobManager.JobState.Failed;
        return false; // Finalized, Cancelled, Expired, Failed are terminal
    }

    // ================================================================ requester actions

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
        // Mostly the requester, sometimes anyone (must fail).
        address caller = callerSeed % 5 == 0 ? _actors[(callerSeed / 5) % _actors.length] : j.requester;
        token.mint(caller, proofOfCompute.challengeBond());
        vm.recordLogs();
        vm.prank(caller);
        try proofOfCompute.challenge(id, j) {
            _ingest();
            if (caller != j.requester) wrongCallerSucceeded = true;
            ++count["challenge"];
            _observe(id, true);
        } catch {
            _observe(id, false);
        }
    }

    // ================================================================ node actions

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

    // ================================================================ anyone

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

    function _doResolve(uint64 id, bool waitTimeout) private {
        ProofOfCompute.Challenge memory c = proofOfCompute.challengeOf(id);
        if (waitTimeout && c.challenger != address(0)) {
            _warpForward(uint256(c.openedAt) + proofOfCompute.disputeTimeout());
        }
        IAIJobManager.Job memory j = _records[id];
        vm.recordLogs();
        try proofOfCompute.resolveUnverified(id, j) {
            _ingest();
            ++settleCount[id];
            ++count["resolve"];
            _observe(id, true);
        } catch {
            _observe(id, false);
        }
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
            if (seed % 4 == 0) _doChallenge(id, 1, 0);
            else _doFinalize(id, 1);
        } else if (j.state == IAIJobManager.JobState.Disputed) {
            _doResolve(id, true);
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

    // ================================================================ internals

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

    function _warpForward(uint256 t) private {
        if (t > vm.getBlockTimestamp()) vm.warp(t);
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
