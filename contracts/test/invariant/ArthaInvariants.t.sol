// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeRegistry} from "../../NodeRegistry.sol";
import {ProofOfCompute} from "../../ProofOfCompute.sol";
import {IAIJobManager} from "../../interfaces/IAIJobManager.sol";
import {ArthaFixture} from "../utils/ArthaFixture.sol";
import {ArthaHandler} from "./ArthaHandler.sol";

/// @notice Invariant tests: random sequences of actions by three requesters and six nodes (ArthaHandler), including the
/// dispute paths (audits, challenges by requesters and nodes, k = 3 verifiers committing and revealing, verdicts,
/// replacement rounds, absent verifiers, the no-quorum fallback, rounds settled with k signed votes in one call, valid
/// or spoiled), after which token conservation, single payout (per job and per verifier), assigned-node-only results,
/// the state machine, the stake accounting and the dispute state must hold. The deployment reserves a 10% verification
/// budget so verifier fees flow. `testDeterministicLongSequence` drives a fixed long sequence through the same handler,
/// checks every invariant after each step and asserts that every deep path was taken.
contract ArthaInvariantTest is ArthaFixture {
    /// @dev The shape forge-std's StdInvariant returns from `targetSelectors()`.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    ArthaHandler internal handler;
    address[] internal requesterList;
    address[] internal nodeList;
    /// @dev The nodes' private keys (the handler signs their votes for `resolveSigned`).
    uint256[] internal nodeKeys;
    address internal constant OUTSIDER = address(0x0B5E);
    /// @dev Handler `submitJob` kind seeds (see ArthaHandler.submitJob): an infer job with audit policy none,
    /// always, always in metric mode.
    uint256 internal constant NO_AUDIT = 1;
    uint256 internal constant AUDIT_ALWAYS = 4;
    uint256 internal constant AUDIT_METRIC = 7;

    /// @dev A verification budget (10% of maxPrice) so verdicts pay verifier fees; no default audit rate (jobs
    /// ask for audits through their policy byte).
    function _config() internal pure override returns (Config memory c) {
        c = super._config();
        c.params.verificationBudgetBps = 1000;
    }

    function setUp() public override {
        super.setUp();
        _seedModels();
        requesterList.push(address(0xA1));
        requesterList.push(address(0xA2));
        requesterList.push(address(0xA3));
        _addNode(0xD1); // 8 x 80 GB, certified level 2 for good
        _addNode(0xD2); // 8 x 80 GB, not certified
        _addNode(0xD3); // 2 x 24 GB, level 1 expiring after an hour
        _addNode(0xD4); // 8 x 80 GB, barely above the minimum stake
        _addNode(0xD5); // 8 x 80 GB
        _addNode(0xD6); // 1 x 24 GB
        _registerNode(nodeList[0], 8, 80, DEFAULT_STAKE);
        _registerNode(nodeList[1], 8, 80, DEFAULT_STAKE);
        _registerNode(nodeList[2], 2, 24, 500e6);
        _registerNode(nodeList[3], 8, 80, MIN_STAKE + 50e6);
        _registerNode(nodeList[4], 8, 80, DEFAULT_STAKE);
        _registerNode(nodeList[5], 1, 24, 300e6);
        _certify(nodeList[0], 2, uint40(T0 + 3650 days));
        _certify(nodeList[2], 1, uint40(T0 + 1 hours));

        handler = new ArthaHandler(
            token, nodeRegistry, jobManager, proofOfCompute, requesterList, nodeKeys, OUTSIDER
        );
        assertEq(abi.encode(handler.nodes()), abi.encode(nodeList), "the handler's nodes are the keys' accounts");
        address[] memory all = handler.actors();
        for (uint256 i; i < all.length; ++i) {
            _approve(all[i], address(jobManager), type(uint256).max);
            _approve(all[i], address(proofOfCompute), type(uint256).max);
            _approve(all[i], address(nodeRegistry), type(uint256).max);
        }
        vm.label(address(handler), "handler");
    }

    /// @dev A node account made from private key `pk` (the handler signs its votes with it).
    function _addNode(uint256 pk) internal {
        nodeKeys.push(pk);
        nodeList.push(_keyed(pk));
    }

    // ================================================================ fuzzer targets

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory s = new bytes4[](24);
        s[0] = ArthaHandler.submitJob.selector;
        s[1] = ArthaHandler.claim.selector;
        s[2] = ArthaHandler.submitResult.selector;
        s[3] = ArthaHandler.submitResultAsOther.selector;
        s[4] = ArthaHandler.finalize.selector;
        s[5] = ArthaHandler.cancel.selector;
        s[6] = ArthaHandler.expire.selector;
        s[7] = ArthaHandler.challenge.selector;
        s[8] = ArthaHandler.resolveUnverified.selector;
        s[9] = ArthaHandler.withdraw.selector;
        s[10] = ArthaHandler.addStake.selector;
        s[11] = ArthaHandler.requestUnstake.selector;
        s[12] = ArthaHandler.withdrawStake.selector;
        s[13] = ArthaHandler.warp.selector;
        s[14] = ArthaHandler.advance.selector;
        s[15] = ArthaHandler.audit.selector;
        s[16] = ArthaHandler.drawVerifiers.selector;
        s[17] = ArthaHandler.commitVote.selector;
        s[18] = ArthaHandler.revealVote.selector;
        s[19] = ArthaHandler.resolveDispute.selector;
        s[20] = ArthaHandler.nextRound.selector;
        s[21] = ArthaHandler.slashAbsent.selector;
        s[22] = ArthaHandler.roll.selector;
        s[23] = ArthaHandler.resolveSigned.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector({addr: address(handler), selectors: s});
    }

    // ================================================================ invariants

    /// @notice (a) The job manager holds exactly the escrows of unsettled jobs plus unpaid balances; the registry
    /// exactly the stakes; the proof contract exactly the open challenge bonds.
    function invariant_tokenConservation() public view {
        _checkTokenConservation();
    }

    /// @notice (b) No job is settled or paid twice, no verifier paid twice for a job; node credits equal finalized
    /// prices plus cancel fees plus verdict credits, and all credits equal the settled escrows plus slashed bonds.
    function invariant_noJobPaidTwice() public view {
        _checkNoDoublePayout();
    }

    /// @notice (c) Only the assigned node can submit a result; restricted calls never succeed for others.
    function invariant_onlyAssignedNodeSubmits() public view {
        _checkOnlyAssignedNodeSubmits();
    }

    /// @notice (d) Every observed job state transition is in the state machine (states read from the records kept
    /// from the events, each checked to be the job's current record).
    function invariant_stateMachine() public view {
        _checkStateMachine();
    }

    /// @notice (e) locked + unbonding <= stake, and locked == the bonds of the node's running jobs.
    function invariant_nodeStakeAccounting() public view {
        _checkNodeStakes();
    }

    /// @notice (f) Dispute state exists exactly for Disputed jobs (a resolved dispute leaves none), its tallies
    /// are the revealed votes, and no dispute step the rules forbid ever succeeded.
    function invariant_disputeState() public view {
        _checkDisputes();
    }

    // ================================================================ checks

    /// @dev Job `id`'s record as the handler keeps it from the events, checked to be the job's current record.
    function _jobAt(uint64 id) internal view returns (IAIJobManager.Job memory j) {
        j = handler.rec(id);
        assertTrue(jobManager.isCurrent(id, j), "handler's record is the job's current record");
    }

    /// @dev The fixture's job views (`_job`, `_state`) read the handler's records: the handler made the jobs.
    function _rec(uint64 jobId) internal view override returns (IAIJobManager.Job memory) {
        return handler.rec(jobId);
    }

    function _isUnsettled(IAIJobManager.JobState s) internal pure returns (bool) {
        return s == IAIJobManager.JobState.Open || s == IAIJobManager.JobState.Claimed
            || s == IAIJobManager.JobState.ResultSubmitted || s == IAIJobManager.JobState.Disputed;
    }

    function _checkTokenConservation() internal view {
        uint64 n = jobManager.jobCount();
        uint256 escrows;
        uint256 bonds;
        for (uint64 id = 1; id <= n; ++id) {
            IAIJobManager.Job memory j = _jobAt(id);
            if (_isUnsettled(j.state)) escrows += j.maxPrice;
            bonds += proofOfCompute.challengeOf(id).bond;
        }
        address[] memory all = handler.actors();
        uint256 balances;
        for (uint256 i; i < all.length; ++i) {
            balances += jobManager.balanceOf(all[i]);
        }
        assertEq(token.balanceOf(address(jobManager)), escrows + balances, "(a) manager = escrows + balances");
        address[] memory ns = handler.nodes();
        uint256 stakes;
        for (uint256 i; i < ns.length; ++i) {
            stakes += _node(ns[i]).stake;
        }
        assertEq(token.balanceOf(address(nodeRegistry)), stakes, "(a) registry = stakes");
        assertEq(token.balanceOf(address(proofOfCompute)), bonds, "(a) proof = open challenge bonds");
    }

    function _checkNoDoublePayout() internal view {
        uint64 n = jobManager.jobCount();
        uint256 finalizedPrices;
        for (uint64 id = 1; id <= n; ++id) {
            IAIJobManager.Job memory j = _jobAt(id);
            assertLe(handler.settleCount(id), 1, "(b) settled at most once");
            assertLe(handler.finalizeCount(id), 1, "(b) finalized at most once");
            if (j.state == IAIJobManager.JobState.Finalized) {
                finalizedPrices += j.price;
                assertEq(handler.finalizeCount(id), 1, "(b) finalized job paid once");
            }
            assertEq(handler.settleCount(id), _isUnsettled(j.state) ? 0 : 1, "(b) settled iff terminal");
        }
        address[] memory ns = handler.nodes();
        uint256 credits;
        for (uint256 i; i < ns.length; ++i) {
            credits += jobManager.balanceOf(ns[i]) + handler.withdrawnBy(ns[i]);
        }
        assertEq(
            credits,
            finalizedPrices + handler.ghostCancelFees() + handler.ghostNodeVerdictCredits(),
            "(b) node credits = prices + cancel fees + verdict credits"
        );
        assertEq(credits, handler.ghostExpectedNodeCredits(), "(b) node credits = predicted");
        assertFalse(handler.payoutMismatch(), "(b) a payout differed from the rules");
        _checkVerifiersPaidOnce();
        _checkCreditsTotal();
    }

    /// @dev Every verifier of every job was paid at most once.
    function _checkVerifiersPaidOnce() internal view {
        assertFalse(handler.verifierPaidTwice(), "(b) a verifier was paid twice for a job");
        uint64 n = jobManager.jobCount();
        for (uint64 id = 1; id <= n; ++id) {
            address[] memory vs = handler.voters(id);
            for (uint256 i; i < vs.length; ++i) {
                assertLe(handler.verifierPaid(id, vs[i]), 1, "(b) verifier paid at most once per job");
            }
        }
    }

    /// @dev Everything credited (unpaid balances plus withdrawals) = the escrows of settled jobs + slashed bonds.
    function _checkCreditsTotal() internal view {
        uint64 n = jobManager.jobCount();
        uint256 settled;
        for (uint64 id = 1; id <= n; ++id) {
            IAIJobManager.Job memory j = _jobAt(id);
            if (!_isUnsettled(j.state)) settled += j.maxPrice;
        }
        address[] memory all = handler.actors();
        uint256 credited;
        for (uint256 i; i < all.length; ++i) {
            credited += jobManager.balanceOf(all[i]) + handler.withdrawnBy(all[i]);
        }
        assertEq(credited, settled + handler.ghostSlashedBonds(), "(b) credits = settled escrows + slashed bonds");
    }

    function _checkOnlyAssignedNodeSubmits() internal view {
        assertFalse(handler.nonClaimerSubmitted(), "(c) a non-assigned caller submitted a result");
        assertFalse(handler.wrongCallerSucceeded(), "(c) a call by the wrong party succeeded");
        uint64 n = jobManager.jobCount();
        for (uint64 id = 1; id <= n; ++id) {
            IAIJobManager.Job memory j = _jobAt(id);
            address submitter = handler.resultSubmitter(id);
            bool hasResult = j.state == IAIJobManager.JobState.ResultSubmitted
                || j.state == IAIJobManager.JobState.Disputed || j.state == IAIJobManager.JobState.Finalized
                || j.state == IAIJobManager.JobState.Failed;
            assertEq(submitter != address(0), hasResult, "(c) result recorded iff the state has one");
            if (hasResult) {
                assertEq(submitter, j.claimer, "(c) submitter is the assigned node");
                assertEq(j.outputRoot, keccak256(abi.encode(id, submitter)), "(c) the submitter's output root");
            }
        }
    }

    function _checkStateMachine() internal view {
        if (handler.recordMismatch()) {
            fail(
                string.concat(
                    "(d) a kept record was not current: job ", vm.toString(uint256(handler.recordMismatchJob()))
                )
            );
        }
        if (handler.badTransition()) {
            fail(
                string.concat(
                    "(d) transition outside the state machine: job ",
                    vm.toString(uint256(handler.badJob())),
                    " ",
                    vm.toString(uint256(handler.badFrom())),
                    " -> ",
                    vm.toString(uint256(handler.badTo()))
                )
            );
        }
        uint64 n = jobManager.jobCount();
        for (uint64 id = 1; id <= n; ++id) {
            assertEq(uint256(_jobAt(id).state), uint256(handler.lastState(id)), "(d) every state observed");
        }
    }

    function _checkNodeStakes() internal view {
        address[] memory ns = handler.nodes();
        uint256[] memory bonds = new uint256[](ns.length);
        uint64 n = jobManager.jobCount();
        uint256 bondBps = jobManager.bondBps();
        for (uint64 id = 1; id <= n; ++id) {
            IAIJobManager.Job memory j = _jobAt(id);
            bool running = j.state == IAIJobManager.JobState.Claimed
                || j.state == IAIJobManager.JobState.ResultSubmitted || j.state == IAIJobManager.JobState.Disputed;
            if (!running) continue;
            for (uint256 i; i < ns.length; ++i) {
                if (j.claimer == ns[i]) bonds[i] += uint256(j.price) * bondBps / BPS;
            }
        }
        for (uint256 i; i < ns.length; ++i) {
            NodeRegistry.Node memory node = _node(ns[i]);
            assertLe(uint256(node.locked) + node.unbonding, node.stake, "(e) locked + unbonding <= stake");
            assertEq(node.locked, bonds[i], "(e) locked = bonds of the node's running jobs");
        }
    }

    function _checkDisputes() internal view {
        if (handler.badDisputeStep()) {
            fail(string.concat("(f) a forbidden dispute step succeeded: ", string(abi.encodePacked(handler.badDisputeWhat()))));
        }
        uint64 n = jobManager.jobCount();
        uint256 needed = uint256(proofOfCompute.verifiers()) / 2 + 1;
        for (uint64 id = 1; id <= n; ++id) {
            IAIJobManager.Job memory j = _jobAt(id);
            (ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
            if (j.state != IAIJobManager.JobState.Disputed) {
                ProofOfCompute.Dispute memory noDispute;
                ProofOfCompute.Draw memory noDraw;
                assertEq(abi.encode(d, draw), abi.encode(noDispute, noDraw), "(f) no dispute state");
                assertEq(proofOfCompute.challengeOf(id).bond, 0, "(f) no bond held");
                continue;
            }
            assertGt(d.openedAt, 0, "(f) disputed job has a dispute");
            assertGe(d.round, 1, "(f) round >= 1");
            assertLe(d.round, proofOfCompute.maxRounds(), "(f) round <= maxRounds");
            assertLe(uint256(d.agree) + d.disagree, d.commits, "(f) revealed <= live votes");
            assertLe(d.commits, proofOfCompute.verifiers(), "(f) live votes <= k");
            assertEq(d.agree, handler.ghostAgree(id), "(f) agree tally = revealed agreeing votes");
            assertEq(d.disagree, handler.ghostDisagree(id), "(f) disagree tally = revealed disagreeing votes");
            assertFalse(d.agree >= needed && d.disagree >= needed, "(f) at most one majority");
            assertEq(draw.worker, j.claimer, "(f) the draw excludes the worker");
        }
    }

    function _checkAll() internal view {
        _checkTokenConservation();
        _checkNoDoublePayout();
        _checkOnlyAssignedNodeSubmits();
        _checkStateMachine();
        _checkNodeStakes();
        _checkDisputes();
    }

    /// @notice Every invariant, as an external call: the deterministic run checks through it so that each
    /// check's memory is released (one long test frame accumulating memory makes EDR's traces explode).
    function checkInvariants() external view {
        _checkAll();
    }

    // ================================================================ deterministic deep run

    /// @notice A scripted scenario that takes every deep path once (auction with replacements, finalize, cancel in
    /// each phase, rejected cancel past the deadline, expire: reopen, slash, exhaustion, challenge and fallback,
    /// dependent job, withdrawals, stake moves, the dispute paths on-chain and signed), then 400 pseudo-random
    /// steps; all invariants after every step.
    function testDeterministicLongSequence() public {
        _scriptedDeepPaths();
        _scriptedDisputes();
        _randomTail(400);
        _assertEveryPathTaken();
    }

    /// @dev The handler's job seed that selects exactly job `jobId` (see ArthaHandler._pickIn).
    function _js(uint256 jobId) internal pure returns (uint256) {
        return 4 * (jobId - 1);
    }

    function _scriptedDeepPaths() internal {
        _scriptedAuctions();
        _scriptedSettlements();
    }

    /// @dev Submissions, the auctions, job 1's result and the cancels of jobs 2-4.
    function _scriptedAuctions() internal {
        // Jobs 1-7 at T, same windows (bid 30 s, runtime 300 s); job 8 depends on job 1.
        for (uint256 i; i < 7; ++i) {
            _step(ArthaHandler.submitJob.selector, abi.encode(i, 100e6, 30, 300, 1, 0, 1));
        }
        // depSeed 0 -> depends on job 1
        _step(ArthaHandler.submitJob.selector, abi.encode(0, 100e6, 30, 300, 1, 0, 0));
        assertEq(jobManager.dependenciesOf(8)[0], 1, "job 8 depends on job 1");

        // Args: cancel(job, caller, timing); claim(node, job, price, timing); submitResult*(actor, job, timing);
        // challenge(job, caller, timing); expire/finalize(job, timing); resolveUnverified(job, wait).
        _step(ArthaHandler.cancel.selector, abi.encode(_js(2), 1, 0)); // job 2: cancelled while open
        // Job 1: three claimers, each strictly lower.
        _step(ArthaHandler.claim.selector, abi.encode(0, _js(1), 90e6, 1));
        _step(ArthaHandler.claim.selector, abi.encode(1, _js(1), 80e6, 0));
        _step(ArthaHandler.claim.selector, abi.encode(2, _js(1), 70e6, 0));
        // Job 3: claimed then cancelled inside the claim window.
        _step(ArthaHandler.claim.selector, abi.encode(0, _js(3), 50e6, 0));
        _step(ArthaHandler.cancel.selector, abi.encode(_js(3), 1, 0));
        // Jobs 4, 5, 6 claimed; job 7 not; job 8 cannot be claimed yet.
        _step(ArthaHandler.claim.selector, abi.encode(1, _js(4), 50e6, 0));
        _step(ArthaHandler.claim.selector, abi.encode(0, _js(5), 40e6, 0));
        _step(ArthaHandler.claim.selector, abi.encode(1, _js(6), 40e6, 0));
        _step(ArthaHandler.claim.selector, abi.encode(0, _js(8), 40e6, 0));
        assertEq(uint256(_state(8)), uint256(IAIJobManager.JobState.Open), "dependent job not claimable");
        // Job 1's result: first by someone else (rejected), then by its claimer.
        _step(ArthaHandler.submitResultAsOther.selector, abi.encode(0, _js(1), 1));
        _step(ArthaHandler.submitResult.selector, abi.encode(1, _js(1), 1));
        // Job 4: cancelled after assignment (fee to the node).
        _step(ArthaHandler.cancel.selector, abi.encode(_js(4), 1, 1));
    }

    /// @dev Challenge and fallback, expiries (reopen, slash, exhaustion), finalizations, the dependent job,
    /// withdrawals and stake moves.
    function _scriptedSettlements() internal {
        // Args as in `_scriptedAuctions`.
        // Job 6: result, then challenged by its requester (after one rejected outsider challenge).
        _step(ArthaHandler.submitResult.selector, abi.encode(1, _js(6), 0));
        _step(ArthaHandler.challenge.selector, abi.encode(_js(6), 45, 0)); // actor 9: the outsider
        _step(ArthaHandler.challenge.selector, abi.encode(_js(6), 1, 0));
        // Jobs 7 and 8: auctions closed without a claim -> reopen.
        _step(ArthaHandler.expire.selector, abi.encode(_js(7), 1));
        _step(ArthaHandler.expire.selector, abi.encode(_js(8), 1));
        // Job 5: a result by someone else fails; cancel past the deadline fails; expire slashes and reopens.
        _step(ArthaHandler.submitResultAsOther.selector, abi.encode(3, _js(5), 0));
        _step(ArthaHandler.cancel.selector, abi.encode(_js(5), 1, 2));
        _step(ArthaHandler.expire.selector, abi.encode(_js(5), 1));
        // Job 1 finalized; job 6's dispute ends by the fallback.
        _step(ArthaHandler.finalize.selector, abi.encode(_js(1), 1));
        _step(ArthaHandler.resolveUnverified.selector, abi.encode(_js(6), true));
        // Job 7 runs out of auctions.
        _step(ArthaHandler.expire.selector, abi.encode(_js(7), 1));
        _step(ArthaHandler.expire.selector, abi.encode(_js(7), 1));
        assertEq(uint256(_state(7)), uint256(IAIJobManager.JobState.Expired), "job 7 expired");
        // Job 8: its dependency is final now; a new auction, a claim, a result, finalize.
        _step(ArthaHandler.expire.selector, abi.encode(_js(8), 1));
        _step(ArthaHandler.claim.selector, abi.encode(1, _js(8), 60e6, 1));
        assertEq(_jobAt(8).claimer, nodeList[1], "dependent job claimed");
        _step(ArthaHandler.submitResult.selector, abi.encode(1, _js(8), 1));
        _step(ArthaHandler.finalize.selector, abi.encode(_js(8), 2));
        assertEq(uint256(_state(8)), uint256(IAIJobManager.JobState.Finalized), "dependent job finalized");
        // Withdrawals (actors: requesters 0-2, nodes 3-8, outsider 9) and stake moves of node 4 (index 3).
        _step(ArthaHandler.withdraw.selector, abi.encode(5));
        _step(ArthaHandler.withdraw.selector, abi.encode(0));
        _step(ArthaHandler.withdraw.selector, abi.encode(9)); // the outsider has nothing
        _step(ArthaHandler.requestUnstake.selector, abi.encode(3, 20e6));
        _step(ArthaHandler.withdrawStake.selector, abi.encode(3, false));
        _step(ArthaHandler.withdrawStake.selector, abi.encode(3, true));
        _step(ArthaHandler.addStake.selector, abi.encode(3, 200e6));
    }

    /// @dev The dispute paths, each job run to its end on its own (`_runDispute`). Jobs 9, 12 and 15 have cheating
    /// workers (ArthaHandler.workerCheats).
    function _scriptedDisputes() internal {
        // Job 9: audited always; the audit opens a dispute; honest verifiers reject the result (bond slashed).
        uint64 id = _newResultJob(AUDIT_ALWAYS, 0);
        assertEq(id, 9, "job 9");
        _step(ArthaHandler.audit.selector, abi.encode(_js(id), 0)); // too early: the seed is not ready
        _step(ArthaHandler.audit.selector, abi.encode(_js(id), 1));
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.Disputed), "job 9 audited");
        _runDispute(id);
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.Failed), "job 9 rejected");
        // Job 10: challenged by an active node (actor 5, not its worker); verifiers uphold; bond to the worker.
        id = _newResultJob(NO_AUDIT, 1);
        _step(ArthaHandler.challenge.selector, abi.encode(_js(id), 20, 0)); // actor 4: the worker (must fail)
        _step(ArthaHandler.challenge.selector, abi.encode(_js(id), 25, 0));
        assertEq(proofOfCompute.challengeOf(id).challenger, nodeList[2], "job 10 challenged by a node");
        _runDispute(id);
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.Finalized), "job 10 upheld");
        // Job 11: metric mode, audited, upheld.
        id = _newResultJob(AUDIT_METRIC, 0);
        _step(ArthaHandler.audit.selector, abi.encode(_js(id), 1));
        _runDispute(id);
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.Finalized), "job 11 upheld");
        _scriptedDisputeRounds();
    }

    /// @dev Jobs 12-15: an absent verifier and a new round, lost seeds, a clear audit, forged steps.
    function _scriptedDisputeRounds() internal {
        // Job 12: the requester challenges; one verifier commits and never reveals; a new round; it is slashed.
        uint64 id = _newResultJob(NO_AUDIT, 1);
        _step(ArthaHandler.challenge.selector, abi.encode(_js(id), 1, 0));
        _step(ArthaHandler.commitVote.selector, abi.encode(_js(id), 0, 1, 0));
        _step(ArthaHandler.slashAbsent.selector, abi.encode(_js(id), 0, 0)); // its round is on: must fail
        _step(ArthaHandler.nextRound.selector, abi.encode(_js(id), 0)); // too early: must fail
        _step(ArthaHandler.nextRound.selector, abi.encode(_js(id), 1));
        _step(ArthaHandler.slashAbsent.selector, abi.encode(_js(id), 0, 0));
        _runDispute(id);
        assertFalse(_isUnsettled(_state(id)), "job 12 settled");
        // Job 13: audited after its seed is gone; the verifiers' seed is lost too and re-armed.
        id = _newResultJob(AUDIT_ALWAYS, 0);
        _step(ArthaHandler.audit.selector, abi.encode(_js(id), 2));
        _step(ArthaHandler.drawVerifiers.selector, abi.encode(_js(id), 2));
        _runDispute(id);
        assertFalse(_isUnsettled(_state(id)), "job 13 settled");
        // Job 14: no audit rate: the draw clears it; then it is finalized.
        id = _newResultJob(NO_AUDIT, 0);
        _step(ArthaHandler.audit.selector, abi.encode(_js(id), 1));
        _step(ArthaHandler.finalize.selector, abi.encode(_js(id), 1));
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.Finalized), "job 14 finalized");
        // Job 15: challenged, a wrong majority list and forged reveals fail, the dispute runs on.
        id = _newResultJob(NO_AUDIT, 3);
        _step(ArthaHandler.challenge.selector, abi.encode(_js(id), 2, 0));
        for (uint256 i; i < 3; ++i) {
            _step(ArthaHandler.commitVote.selector, abi.encode(_js(id), 8 * i, 1, 0));
        }
        _step(ArthaHandler.revealVote.selector, abi.encode(_js(id), 0, 0, 0)); // wrong salt: must fail
        _step(ArthaHandler.revealVote.selector, abi.encode(_js(id), 0, 0, 1));
        _step(ArthaHandler.revealVote.selector, abi.encode(_js(id), 0, 0, 1));
        _step(ArthaHandler.resolveDispute.selector, abi.encode(_js(id), 0, 5)); // wrong list: must fail
        _runDispute(id);
        assertFalse(_isUnsettled(_state(id)), "job 15 settled");
        _step(ArthaHandler.withdraw.selector, abi.encode(4));
        _scriptedSignedDisputes();
    }

    /// @dev Jobs 16-18: rounds settled in one call with k signed votes. Args: resolveSigned(job, voteSeed,
    /// spoilSeed); voteSeed 1: honest and unanimous; spoilSeed 4 * n: spoiled in way n (must fail), 1: not.
    function _scriptedSignedDisputes() internal {
        // Job 16: challenged by its requester; spoiled batches fail; an honest batch upholds the result.
        uint64 id = _newResultJob(NO_AUDIT, 4);
        assertEq(id, 16, "job 16");
        _step(ArthaHandler.challenge.selector, abi.encode(_js(id), 1, 0));
        for (uint256 how; how < 5; ++how) {
            _step(ArthaHandler.resolveSigned.selector, abi.encode(_js(id), 1, 4 * how));
        }
        _step(ArthaHandler.resolveSigned.selector, abi.encode(_js(id), 1, 32)); // one vote too many
        assertEq(handler.count("resolveSignedRejectedCall"), 6, "spoiled batches rejected");
        _step(ArthaHandler.resolveSigned.selector, abi.encode(_js(id), 1, 1));
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.Finalized), "job 16 upheld by signed votes");
        // Job 17: metric mode, audited; `advance` takes the signed step (seed / 4 % 4 == 3, honest votes).
        id = _newResultJob(AUDIT_METRIC, 0);
        _step(ArthaHandler.audit.selector, abi.encode(_js(id), 1));
        _step(ArthaHandler.advance.selector, abi.encode(_unfinishedIndex(id), 268));
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.Finalized), "job 17 upheld by signed votes");
        // Job 18: a cheating worker (node 4: the draw names three others), audited; honest signed votes reject its
        // result (bond slashed).
        id = _newResultJob(AUDIT_ALWAYS, 4);
        _step(ArthaHandler.audit.selector, abi.encode(_js(id), 1));
        _step(ArthaHandler.resolveSigned.selector, abi.encode(_js(id), 1, 1));
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.Failed), "job 18 rejected by signed votes");
    }

    /// @dev Submits a job of requester 0 with `kindSeed`'s policy, has node `nodeSeed` claim it and submit a result.
    function _newResultJob(uint256 kindSeed, uint256 nodeSeed) internal returns (uint64 id) {
        _step(ArthaHandler.submitJob.selector, abi.encode(0, 100e6, 30, 300, kindSeed, 0, 1));
        id = jobManager.jobCount();
        _step(ArthaHandler.claim.selector, abi.encode(nodeSeed, _js(id), 60e6, 1));
        _step(ArthaHandler.submitResult.selector, abi.encode(1, _js(id), 1));
        assertEq(uint256(_state(id)), uint256(IAIJobManager.JobState.ResultSubmitted), "result submitted");
    }

    /// @dev `advance` on job `id` until it leaves Disputed (honest votes, valid lists; see ArthaHandler.advance).
    function _runDispute(uint64 id) internal {
        for (uint256 i; i < 40 && _state(id) == IAIJobManager.JobState.Disputed; ++i) {
            _step(ArthaHandler.advance.selector, abi.encode(_unfinishedIndex(id), 258 + 1024 * i));
        }
        assertFalse(_state(id) == IAIJobManager.JobState.Disputed, "dispute ended");
    }

    /// @dev The place of job `id` among the unfinished jobs (what `advance`'s job seed selects).
    function _unfinishedIndex(uint64 id) internal view returns (uint256 k) {
        for (uint64 x = 1; x < id; ++x) {
            if (_isUnsettled(_jobAt(x).state)) ++k;
        }
    }

    /// @dev `steps` pseudo-random actions through the handler, mostly on recent jobs.
    function _randomTail(uint256 steps) internal {
        bytes4[] memory sel = targetSelectors()[0].selectors;
        for (uint256 i; i < steps; ++i) {
            uint256 r = uint256(keccak256(abi.encode("artha", i)));
            bytes4 s = sel[r % sel.length];
            uint256 a = uint256(keccak256(abi.encode(r, 1)));
            uint256 b = uint256(keccak256(abi.encode(r, 2))) % 64;
            uint256 c = uint256(keccak256(abi.encode(r, 3)));
            uint256 d = uint256(keccak256(abi.encode(r, 4))) % 30;
            _step(s, _randomArgs(s, a, b, c, d));
        }
    }

    function _assertEveryPathTaken() internal view {
        bytes32[36] memory paths = [
            bytes32("submit"),
            "claim",
            "claimReplace",
            "result",
            "resultRejectedNotClaimer",
            "finalize",
            "cancelOpen",
            "cancelInClaimWindow",
            "cancelAssigned",
            "cancelRejectedPastDeadline",
            "expireNoClaim",
            "expireSlash",
            "expireRefund",
            "challenge",
            "resolve",
            "withdraw",
            "addStake",
            "requestUnstake",
            "withdrawStake",
            "auditDisputed",
            "auditSeedGone",
            "auditCleared",
            "challengeByNode",
            "verifiersDrawn",
            "verifiersRearmed",
            "commit",
            "commitRejected",
            "reveal",
            "revealRejected",
            "resolveUpheld",
            "resolveRejected",
            "nextRound",
            "slashAbsent",
            "resolveSignedUpheld",
            "resolveSignedRejected",
            "resolveSignedRejectedCall"
        ];
        for (uint256 i; i < paths.length; ++i) {
            assertGt(handler.count(paths[i]), 0, string(abi.encodePacked("path not taken: ", paths[i])));
        }
    }

    /// @dev Arguments for a pseudo-random call of handler function `s`: the job seed is the newest jobs' range.
    function _randomArgs(bytes4 s, uint256 a, uint256 b, uint256 c, uint256 d) internal view returns (bytes memory) {
        uint256 n = jobManager.jobCount();
        uint256 job = n == 0 ? b : n - 1 - (b % (n < 12 ? n : 12)); // mostly recent jobs
        uint256 timing = a % 3;
        if (s == ArthaHandler.submitJob.selector) return abi.encode(a, c, d, c >> 8, a >> 8, b, c >> 16);
        if (s == ArthaHandler.claim.selector) return abi.encode(a >> 4, job, c, timing);
        if (s == ArthaHandler.submitResult.selector || s == ArthaHandler.submitResultAsOther.selector) {
            return abi.encode(c, job, timing);
        }
        if (s == ArthaHandler.finalize.selector || s == ArthaHandler.expire.selector) return abi.encode(job, timing);
        if (s == ArthaHandler.cancel.selector) return abi.encode(job, c, timing);
        if (s == ArthaHandler.challenge.selector) return abi.encode(job, c, timing);
        if (s == ArthaHandler.resolveUnverified.selector) return abi.encode(job, a % 2 == 0);
        if (s == ArthaHandler.withdraw.selector) return abi.encode(c);
        if (s == ArthaHandler.addStake.selector || s == ArthaHandler.requestUnstake.selector) return abi.encode(a, c);
        if (s == ArthaHandler.withdrawStake.selector) return abi.encode(a, c % 2 == 0);
        if (s == ArthaHandler.advance.selector) return abi.encode(b, c);
        if (
            s == ArthaHandler.audit.selector || s == ArthaHandler.drawVerifiers.selector
                || s == ArthaHandler.nextRound.selector
        ) return abi.encode(job, timing);
        if (s == ArthaHandler.commitVote.selector) return abi.encode(job, c, a >> 8, timing);
        if (s == ArthaHandler.revealVote.selector) return abi.encode(job, c, timing, a >> 4);
        if (s == ArthaHandler.resolveDispute.selector) return abi.encode(job, timing, c);
        if (s == ArthaHandler.slashAbsent.selector) return abi.encode(job, c, timing);
        if (s == ArthaHandler.resolveSigned.selector) return abi.encode(job, a >> 8, c);
        if (s == ArthaHandler.roll.selector) return abi.encode(c);
        return abi.encode(d * 20); // warp
    }

    /// @dev One handler action, then every invariant (both as external calls with a gas cap).
    function _step(bytes4 selector, bytes memory args) internal {
        // A low-level call on purpose: the selector varies, and the gas cap keeps one step's trace bounded.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = address(handler).call{gas: 30_000_000}(abi.encodePacked(selector, args));
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        this.checkInvariants{gas: 50_000_000}();
    }
}
