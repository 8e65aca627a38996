// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {AIJobManager} from "../AIJobManager.sol";
import {NodeRegistry} from "../NodeRegistry.sol";
import {ProofOfCompute} from "../ProofOfCompute.sol";
import {IAIJobManager} from "../interfaces/IAIJobManager.sol";
import {ArthaFixture} from "./utils/ArthaFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice Unit tests for ProofOfCompute's challenge (Disputed blocks payout) and the no-quorum fallback.
/// (Audits, verifiers and verdicts: Verification.t.sol and VerificationErrors.t.sol; results: AIJobManager.t.sol.)
contract ProofOfComputeTest is ArthaFixture {
    uint96 internal constant PRICE = 60e6;

    function setUp() public override {
        super.setUp();
        _seedModels();
        _registerNode(node1);
        _registerNode(node2);
    }

    function testDeployment() public view {
        assertEq(address(proofOfCompute.jobs()), address(jobManager), "jobs");
        assertEq(address(proofOfCompute.token()), address(token), "token");
        assertEq(proofOfCompute.challengeBond(), CHALLENGE_BOND, "challengeBond");
        assertEq(proofOfCompute.disputeTimeout(), DISPUTE_TIMEOUT, "disputeTimeout");
        assertEq(proofOfCompute.challengeOf(1).challenger, address(0), "no challenge");
    }

    // ================================================================== challenge

    function testChallenge() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        _fundChallenger(alice);
        _warpTo(_challengeEnds(id) - 1); // last second of the window
        uint256 t = _now();
        IAIJobManager.Job memory e = _job(id);
        e.state = IAIJobManager.JobState.Disputed;
        _recordLogs();
        _challenge(alice, id);
        Vm.Log[] memory logs = _logs();
        _assertLog(
            _findLog(logs, address(proofOfCompute), ProofOfCompute.Challenged.selector),
            _topics(_t(uint256(id)), _t(alice)),
            abi.encode(uint256(CHALLENGE_BOND), uint32(t + DISPUTE_TIMEOUT))
        );
        _assertLog(
            _findLog(logs, address(jobManager), AIJobManager.JobDisputed.selector),
            _topics(_t(uint256(id)), _t(alice)),
            abi.encode(e)
        );
        _assertState(id, IAIJobManager.JobState.Disputed);
        ProofOfCompute.Challenge memory c = proofOfCompute.challengeOf(id);
        assertEq(c.challenger, alice, "challenger");
        assertEq(c.bond, CHALLENGE_BOND, "bond");
        assertEq(c.openedAt, t, "openedAt");
        assertEq(token.balanceOf(address(proofOfCompute)), CHALLENGE_BOND, "bond held");
        assertEq(token.balanceOf(alice), 0, "bond paid");
    }

    function testDisputedJobBlocksPayout() public {
        uint64 id = _disputedJob(alice, node1, PRICE);
        _warpPastChallengeWindow(id);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.WrongState.selector,
                id,
                IAIJobManager.JobState.Disputed,
                IAIJobManager.JobState.ResultSubmitted
            )
        );
        _finalize(id);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.JobNotCancellable.selector, id, IAIJobManager.JobState.Disputed)
        );
        _cancel(alice, id);
        _warpBy(MAX_RUNTIME_LIMIT);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.NotExpirable.selector, id, IAIJobManager.JobState.Disputed, uint256(0), _now()
            )
        );
        _expire(id);
        assertEq(jobManager.balanceOf(node1), 0, "node unpaid");
        assertEq(_node(node1).locked, _bond(PRICE), "bond locked during the dispute");
    }

    function testChallengeByAnActiveNode() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        _fundAndChallenge(node2, id);
        _assertState(id, IAIJobManager.JobState.Disputed);
        assertEq(proofOfCompute.challengeOf(id).challenger, node2, "an active node other than the worker may");
    }

    function testChallengeRevertsNotAChallenger() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        _fundChallenger(bob);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAChallenger.selector, id, bob));
        _challenge(bob, id); // neither the requester nor a staked node
        _fundChallenger(node1);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAChallenger.selector, id, node1));
        _challenge(node1, id); // the worker
    }

    function testChallengeRevertsWrongState() public {
        IAIJobManager.JobState[7] memory states = [
            IAIJobManager.JobState.Open,
            IAIJobManager.JobState.Claimed,
            IAIJobManager.JobState.Disputed,
            IAIJobManager.JobState.Finalized,
            IAIJobManager.JobState.Cancelled,
            IAIJobManager.JobState.Expired,
            IAIJobManager.JobState.Failed
        ];
        _fundChallenger(alice);
        for (uint256 i; i < states.length; ++i) {
            uint64 id = _jobIn(states[i], alice, node1, PRICE);
            _expectRevertNext(
                abi.encodeWithSelector(
                    AIJobManager.WrongState.selector, id, states[i], IAIJobManager.JobState.ResultSubmitted
                )
            );
            _challenge(alice, id);
        }
    }

    function testChallengeRevertsWindowClosed() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        _fundChallenger(alice);
        uint256 closesAt = _challengeEnds(id);
        _warpTo(closesAt);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.ChallengeWindowClosed.selector, id, closesAt, closesAt)
        );
        _challenge(alice, id);
        // ... and the job can be finalized instead.
        _finalize(id);
    }

    function testChallengeRevertsUnknownJob() public {
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(7)));
        _challenge(alice, 7);
    }

    function testChallengeRevertsInsufficientAllowance() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        _mint(alice, CHALLENGE_BOND);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(proofOfCompute), 0, uint256(CHALLENGE_BOND)
            )
        );
        _challenge(alice, id);
        _assertState(id, IAIJobManager.JobState.ResultSubmitted);
    }

    function testChallengeRevertsInsufficientBalance() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        _approve(alice, address(proofOfCompute), CHALLENGE_BOND);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, alice, 0, uint256(CHALLENGE_BOND)
            )
        );
        _challenge(alice, id);
    }

    // ================================================================== resolveUnverified

    function testResolveUnverifiedRefundsRequesterAndReturnsBond() public {
        uint64 id = _disputedJob(alice, node1, PRICE);
        _warpPastDisputeTimeout(id);
        IAIJobManager.Job memory e = _job(id);
        e.state = IAIJobManager.JobState.Failed;
        _recordLogs();
        _resolveUnverified(id);
        Vm.Log[] memory logs = _logs();
        _assertLog(
            _findLog(logs, address(proofOfCompute), ProofOfCompute.DisputeUnresolved.selector),
            _topics(_t(uint256(id)), _t(alice)),
            abi.encode(uint256(CHALLENGE_BOND))
        );
        _assertLog(
            _findLog(logs, address(jobManager), AIJobManager.JobRefunded.selector),
            _topics(_t(uint256(id)), _t(node1)),
            abi.encode(DEFAULT_MAX_PRICE, e)
        );
        assertEq(_countLogs(logs, address(nodeRegistry), NodeRegistry.Slashed.selector), 0, "no slash event");
        _assertState(id, IAIJobManager.JobState.Failed);
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE, "requester refunded");
        assertEq(jobManager.balanceOf(node1), 0, "node unpaid");
        assertEq(token.balanceOf(alice), CHALLENGE_BOND, "bond returned");
        assertEq(token.balanceOf(address(proofOfCompute)), 0, "proof holds nothing");
        assertEq(_node(node1).locked, 0, "node bond released");
        assertEq(_node(node1).stake, DEFAULT_STAKE, "no slash");
        assertEq(proofOfCompute.challengeOf(id).challenger, address(0), "challenge cleared");
    }

    function testResolveUnverifiedRevertsNoChallenge() public {
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NoChallenge.selector, uint64(9)));
        _resolveUnverified(9);
        uint64 id = _resultJob(alice, node1, PRICE);
        _warpBy(DISPUTE_TIMEOUT);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NoChallenge.selector, id));
        _resolveUnverified(id);
    }

    function testResolveUnverifiedRevertsTwice() public {
        uint64 id = _failedJob(alice, node1, PRICE);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NoChallenge.selector, id));
        _resolveUnverified(id);
    }

    function testResolveUnverifiedRevertsDisputeStillOpen() public {
        uint64 id = _disputedJob(alice, node1, PRICE);
        uint256 timeoutAt = _disputeTimeoutAt(id);
        assertEq(timeoutAt, _now() + DISPUTE_TIMEOUT, "timeoutAt");
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.DisputeStillOpen.selector, id, timeoutAt, _now()));
        _resolveUnverified(id);
        _warpTo(timeoutAt - 1);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.DisputeStillOpen.selector, id, timeoutAt, timeoutAt - 1)
        );
        _resolveUnverified(id);
        _warpTo(timeoutAt);
        _resolveUnverified(id);
    }

    function testChallengeResolveWithdrawFlow() public {
        uint64 id = _disputedJob(alice, node1, PRICE);
        _warpPastDisputeTimeout(id);
        _resolveUnverified(id);
        _withdrawBalance(alice, alice);
        assertEq(token.balanceOf(alice), DEFAULT_MAX_PRICE + CHALLENGE_BOND, "requester whole again");
        assertEq(token.balanceOf(address(jobManager)), 0, "manager empty");
        // The freed node can take new work.
        uint64 next = _claimedJob(bob, node1, DEFAULT_MAX_PRICE);
        assertEq(_job(next).claimer, node1, "node claims again");
    }

    // ================================================================== job records

    function testChallengeRevertsStaleRecord() public {
        vm.roll(100);
        uint64 id = _assignedJob(alice, node1, PRICE);
        IAIJobManager.Job memory claimed = _job(id);
        vm.roll(110);
        _submitResult(node1, id);
        IAIJobManager.Job memory resulted = _job(id);
        _fundChallenger(alice);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, uint256(110)));
        _challengeWith(alice, id, claimed);
        vm.roll(120);
        _challenge(alice, id);
        // Replaying the record it was challenged with: stale, no second challenge.
        _fundChallenger(alice);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, uint256(120)));
        _challengeWith(alice, id, resulted);
        assertEq(token.balanceOf(address(proofOfCompute)), CHALLENGE_BOND, "one bond held");
        assertEq(proofOfCompute.challengeOf(id).openedAt, _now(), "first challenge kept");
    }

    function testChallengeRevertsAlteredRecord() public {
        vm.roll(100);
        uint64 id = _resultJob(alice, node1, PRICE);
        IAIJobManager.Job memory forged = _job(id);
        forged.requester = bob; // bob poses as the requester
        _fundChallenger(bob);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, uint256(100)));
        _challengeWith(bob, id, forged);
        // The requester moves resultAt to reopen a closed window.
        _warpPastChallengeWindow(id);
        forged = _job(id);
        forged.resultAt = uint32(_now());
        _fundChallenger(alice);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, uint256(100)));
        _challengeWith(alice, id, forged);
        _assertState(id, IAIJobManager.JobState.ResultSubmitted);
        _finalize(id);
    }

    function testResolveUnverifiedRevertsStaleOrAlteredRecord() public {
        vm.roll(100);
        uint64 id = _resultJob(alice, node1, PRICE);
        IAIJobManager.Job memory resulted = _job(id);
        vm.roll(110);
        _fundAndChallenge(alice, id);
        _warpPastDisputeTimeout(id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, uint256(110)));
        _resolveUnverifiedWith(id, resulted);
        IAIJobManager.Job memory forged = _job(id);
        forged.maxPrice = DEFAULT_MAX_PRICE * 2; // a bigger refund
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, uint256(110)));
        _resolveUnverifiedWith(id, forged);
        assertEq(proofOfCompute.challengeOf(id).challenger, alice, "challenge still open");
        _resolveUnverified(id);
        _assertState(id, IAIJobManager.JobState.Failed);
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE, "refunded the escrow only");
    }
}
