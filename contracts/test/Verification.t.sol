// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AIJobManager} from "../AIJobManager.sol";
import {ProofOfCompute} from "../ProofOfCompute.sol";
import {IAIJobManager} from "../interfaces/IAIJobManager.sol";
import {ArthaFixture} from "./utils/ArthaFixture.sol";
import {SettableSeed} from "./utils/SettableSeed.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice The verification protocol end to end on the contracts: random audits, challenges, verifier
/// commit-reveal, the majority's verdict with its payouts and slashes, absent verifiers, replacement rounds.
/// (Error paths: VerificationErrors.t.sol; token conservation across random sequences: the invariant tests.)
contract VerificationTest is ArthaFixture {
    uint96 internal constant PRICE = 60e6;
    uint16 internal constant BUDGET_BPS = 1000;
    /// @dev Policy bytes: audit every job; never audit.
    uint8 internal constant AUDIT_ALL = 101;
    uint8 internal constant AUDIT_NONE = 1;
    bytes32 internal constant FORGED_ROOT = keccak256("forged-output-root");

    address[8] internal operators;

    function _config() internal pure override returns (Config memory c) {
        c = super._config();
        c.params.verificationBudgetBps = BUDGET_BPS;
    }

    function setUp() public override {
        super.setUp();
        _seedModels();
        _registerNode(node1);
        _registerNode(node2);
        for (uint256 i; i < operators.length; ++i) {
            operators[i] = _keyed(0x2001 + i);
            _registerNode(operators[i]);
        }
    }

    // ================================================================== helpers

    /// @notice A job of `alice` with policy byte `verification`, claimed by node1 at PRICE, whose result
    /// (`root`) is in.
    function _resultWith(uint8 verification, bytes32 root) internal returns (uint64 id) {
        AIJobManager.JobRequest memory r = _request();
        r.verification = verification;
        id = _submitFunded(alice, r);
        _warpToClaimWindow(id);
        _claim(node1, id, PRICE);
        _warpPastClaimEnd(id);
        _submitResultRaw(node1, id, root, METRICS_HASH, OUTPUT_URI);
    }

    /// @notice Rolls past the audit's seed block, gives that block `seed` as its hash and draws the audit.
    function _audit(uint64 id, bytes32 seed) internal {
        uint256 seedBlock = jobManager.lastChangeBlock(id) + AUDIT_DELAY;
        vm.roll(seedBlock + 1);
        vm.setBlockhash(seedBlock, seed);
        _drawAudit(stranger, id);
    }

    /// @notice The round's first k drawn verifiers commit `results[i]` and (once all committed) reveal them.
    function _verify(uint64 id, bytes32[3] memory results) internal returns (address[] memory who) {
        uint256[] memory index;
        (who, index) = _drawn(id, VERIFIERS);
        assertEq(who.length, VERIFIERS, "k distinct verifiers drawn");
        for (uint256 i; i < who.length; ++i) {
            _commit(who[i], id, index[i], results[i], false, bytes32(i));
        }
        for (uint256 i; i < who.length; ++i) {
            _reveal(who[i], id, results[i], false, bytes32(i));
        }
    }

    /// @notice The round's first k drawn verifiers (`_drawn`) sign their votes for `results[i]` off-chain.
    function _signedVotes(uint64 id, bytes32[3] memory results)
        internal
        view
        returns (ProofOfCompute.SignedVote[] memory votes)
    {
        (address[] memory who, uint256[] memory index) = _drawn(id, VERIFIERS);
        assertEq(who.length, VERIFIERS, "k distinct verifiers drawn");
        votes = new ProofOfCompute.SignedVote[](who.length);
        for (uint256 i; i < who.length; ++i) {
            votes[i] = ProofOfCompute.SignedVote(index[i], results[i], false, bytes32(i), 0, 0);
            _signVote(who[i], id, _round(id), votes[i]);
        }
    }

    function _drawnK(uint64 id) internal view returns (address[] memory who) {
        (who,) = _drawn(id, VERIFIERS);
    }

    function _round(uint64 id) internal view returns (uint8) {
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        return d.round;
    }

    /// @notice `logs` tell exactly `who`'s votes, in order, each `Revealed(result, agrees)`.
    function _assertRevealedInOrder(Vm.Log[] memory logs, address[] memory who, bytes32 result, bool agrees)
        internal
        view
    {
        uint256 n;
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory entry = logs[i];
            if (entry.emitter != address(proofOfCompute) || entry.topics[0] != ProofOfCompute.Revealed.selector) {
                continue;
            }
            assertEq(entry.topics[2], bytes32(uint256(uint160(who[n++]))), "each vote told, in order");
            assertEq(entry.data, abi.encode(result, agrees), "its result and verdict");
        }
        assertEq(n, who.length, "every vote told");
    }

    function _sorted(address[] memory a) internal pure returns (address[] memory) {
        for (uint256 i = 1; i < a.length; ++i) {
            for (uint256 j = i; j > 0 && a[j - 1] > a[j]; --j) {
                (a[j - 1], a[j]) = (a[j], a[j - 1]);
            }
        }
        return a;
    }

    function _pick(address[] memory a, uint256 i, uint256 j) internal pure returns (address[] memory out) {
        out = new address[](2);
        (out[0], out[1]) = (a[i], a[j]);
        return _sorted(out);
    }

    function _fee() internal pure returns (uint256) {
        return uint256(DEFAULT_MAX_PRICE) * BUDGET_BPS / BPS / VERIFIERS;
    }

    /// @notice The job manager holds exactly the sum of the balances it owes once every job is settled.
    function _assertManagerSolvent(address[] memory holders) internal view {
        uint256 owed;
        for (uint256 i; i < holders.length; ++i) {
            bool seen;
            for (uint256 j; j < i && !seen; ++j) {
                seen = holders[j] == holders[i];
            }
            if (!seen) owed += jobManager.balanceOf(holders[i]);
        }
        assertEq(token.balanceOf(address(jobManager)), owed, "manager holds exactly what it owes");
    }

    function _holders(address[] memory verifiers_, address extra) internal view returns (address[] memory h) {
        h = new address[](verifiers_.length + 3);
        for (uint256 i; i < verifiers_.length; ++i) {
            h[i] = verifiers_[i];
        }
        (h[verifiers_.length], h[verifiers_.length + 1], h[verifiers_.length + 2]) = (alice, node1, extra);
    }

    // ================================================================== audits

    function testHonestWorkerAuditedAtFullRateIsPaid() public {
        uint64 id = _resultWith(AUDIT_ALL, OUTPUT_ROOT);
        _warpPastChallengeWindow(id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.AuditDue.selector, id));
        _finalize(id);

        uint256 seedBlock = jobManager.lastChangeBlock(id) + AUDIT_DELAY;
        _recordLogs();
        _audit(id, keccak256("seed-1"));
        Vm.Log[] memory logs = _logs();
        _assertLog(
            _findLog(logs, address(proofOfCompute), ProofOfCompute.AuditDrawn.selector),
            _topics(_t(uint256(id))),
            abi.encode(true, seedBlock)
        );
        _assertState(id, IAIJobManager.JobState.Disputed);
        assertEq(proofOfCompute.challengeOf(id).challenger, address(0), "an audit has no challenger");

        address[] memory who = _verify(id, [OUTPUT_ROOT, OUTPUT_ROOT, OUTPUT_ROOT]);
        _resolve(id, _sorted(who));

        _assertState(id, IAIJobManager.JobState.Finalized);
        assertEq(jobManager.balanceOf(node1), PRICE, "worker paid its price");
        for (uint256 i; i < who.length; ++i) {
            assertEq(jobManager.balanceOf(who[i]), _fee(), "verifier fee");
        }
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE - PRICE - 3 * _fee(), "requester gets the rest");
        assertEq(_node(node1).locked, 0, "worker bond released");
        assertEq(_node(node1).stake, DEFAULT_STAKE, "worker not slashed");
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        assertEq(d.openedAt, 0, "dispute closed");
        _assertManagerSolvent(_holders(who, address(0)));
    }

    function testCheatingWorkerIsCaughtSlashedAndTheRequesterRefunded() public {
        uint64 id = _resultWith(AUDIT_ALL, FORGED_ROOT);
        _audit(id, keccak256("seed-2"));
        address[] memory who = _verify(id, [OUTPUT_ROOT, OUTPUT_ROOT, OUTPUT_ROOT]);
        uint256 aliceTokens = token.balanceOf(alice);
        _recordLogs();
        _resolve(id, _sorted(who));
        Vm.Log[] memory logs = _logs();

        uint256 bond = uint256(PRICE) * BOND_BPS / BPS;
        uint256 each = _fee() + bond * SLASH_VERIFIERS_BPS / BPS / VERIFIERS;
        _assertState(id, IAIJobManager.JobState.Failed);
        assertEq(_node(node1).stake, DEFAULT_STAKE - bond, "worker's bond slashed");
        assertEq(_node(node1).locked, 0, "nothing left locked");
        assertEq(jobManager.balanceOf(node1), 0, "worker unpaid");
        for (uint256 i; i < who.length; ++i) {
            assertEq(jobManager.balanceOf(who[i]), each, "verifier: fee plus its share of the slash");
        }
        assertEq(
            jobManager.balanceOf(alice), DEFAULT_MAX_PRICE + bond - 3 * each, "requester: escrow and the slash's rest"
        );
        assertEq(token.balanceOf(alice), aliceTokens, "credited, not transferred");
        _findLog(logs, address(jobManager), AIJobManager.JobVerified.selector);
        _assertLog(
            _findLog(logs, address(proofOfCompute), ProofOfCompute.DisputeResolved.selector),
            _topics(_t(uint256(id)), _t(address(0))),
            abi.encode(false, uint8(0), uint8(3))
        );
        _assertManagerSolvent(_holders(who, address(0)));
    }

    function testAuditDrawnClearLetsTheJobPayOut() public {
        uint64 id = _resultWith(AUDIT_NONE, OUTPUT_ROOT);
        assertFalse(proofOfCompute.auditDue(id, AUDIT_NONE, jobManager.lastChangeBlock(id)), "rate 0: never due");
        _audit(id, keccak256("seed-3"));
        _assertState(id, IAIJobManager.JobState.ResultSubmitted);
        _warpPastChallengeWindow(id);
        _finalize(id);
        _assertState(id, IAIJobManager.JobState.Finalized);
        assertEq(jobManager.balanceOf(node1), PRICE, "paid");
    }

    function testAuditRateIsTheShareOfSeedsDrawn() public {
        // 50%: the draw is uniform over seeds, so of 200 seeds about half audit the job.
        uint64 id = _resultWith(51, OUTPUT_ROOT);
        uint256 seedBlock = jobManager.lastChangeBlock(id) + AUDIT_DELAY;
        vm.roll(seedBlock + 1);
        uint256 audited;
        for (uint256 i; i < 200; ++i) {
            vm.setBlockhash(seedBlock, keccak256(abi.encode("rate", i)));
            if (proofOfCompute.auditDue(id, 51, seedBlock - AUDIT_DELAY)) ++audited;
        }
        assertGt(audited, 70, "about half audited (lower bound)");
        assertLt(audited, 130, "about half audited (upper bound)");
        assertEq(proofOfCompute.auditRateOf(51), 5000, "rate");
        assertEq(proofOfCompute.auditRateOf(0), 0, "the deployment's default");
        assertEq(proofOfCompute.auditRateOf(AUDIT_ALL), BPS, "all");
    }

    function testSeedGoneCountsAsAudited() public {
        uint64 id = _resultWith(2, OUTPUT_ROOT); // 1%
        uint256 seedBlock = jobManager.lastChangeBlock(id) + AUDIT_DELAY;
        vm.roll(seedBlock + 300); // its hash is no longer available
        _warpPastChallengeWindow(id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.AuditDue.selector, id));
        _finalize(id);
        _drawAudit(stranger, id);
        _assertState(id, IAIJobManager.JobState.Disputed);
        (, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
        assertEq(draw.seed, 0, "verifiers wait for a fresh seed");
        assertEq(draw.seedBlock, vm.getBlockNumber() + AUDIT_DELAY, "from a block still to come");
        assertEq(proofOfCompute.verifierAt(id, 1, 0), address(0), "nobody drawn yet");
        _fixSeed(id, keccak256("fresh"));
        address[] memory who = _verify(id, [OUTPUT_ROOT, OUTPUT_ROOT, OUTPUT_ROOT]);
        _resolve(id, _sorted(who));
        _assertState(id, IAIJobManager.JobState.Finalized);
    }

    function testAPluggedSeedSourceDecidesTheDraw() public {
        SettableSeed source = new SettableSeed();
        ProofOfCompute other = ProofOfCompute(
            _deployArtifact(
                "contracts/ProofOfCompute.sol:ProofOfCompute",
                abi.encode(address(jobManager), address(token), address(nodeRegistry), address(source), cfg.proof)
            )
        );
        assertEq(address(other.seedSource()), address(source), "source");
        uint256 resultBlock = vm.getBlockNumber();
        vm.roll(resultBlock + AUDIT_DELAY + 1);
        uint256 seedBlock = resultBlock + AUDIT_DELAY;
        vm.setBlockhash(seedBlock, keccak256("the chain's own hash is not used"));
        assertTrue(other.auditDue(7, 51, resultBlock), "no seed from the source: counts as audited");
        // Find seeds on each side of a 50% draw; the source's answer alone decides.
        bool sawClear;
        bool sawAudit;
        for (uint256 i; i < 32 && !(sawClear && sawAudit); ++i) {
            source.set(seedBlock, keccak256(abi.encode("vrf", i)));
            bool due = other.auditDue(7, 51, resultBlock);
            bool expected = uint256(keccak256(abi.encode(keccak256(abi.encode("vrf", i)), uint64(7)))) % BPS < 5000;
            assertEq(due, expected, "the draw follows the source's seed");
            if (due) sawAudit = true;
            else sawClear = true;
        }
        assertTrue(sawClear && sawAudit, "both outcomes seen");
    }

    // ================================================================== challenges

    function testRequesterChallengeOfAnHonestResultLosesItsBond() public {
        uint64 id = _resultWith(AUDIT_NONE, OUTPUT_ROOT);
        _fundAndChallenge(alice, id);
        assertEq(token.balanceOf(address(proofOfCompute)), CHALLENGE_BOND, "bond held");
        _fixSeed(id, keccak256("seed-4"));
        address[] memory who = _verify(id, [OUTPUT_ROOT, OUTPUT_ROOT, FORGED_ROOT]);
        _resolve(id, _pick(who, 0, 1));
        _assertState(id, IAIJobManager.JobState.Finalized);
        assertEq(token.balanceOf(alice), 0, "challenger lost its bond");
        assertEq(token.balanceOf(node1), CHALLENGE_BOND, "the bond went to the worker");
        assertEq(jobManager.balanceOf(node1), PRICE, "worker paid");
        assertEq(jobManager.balanceOf(who[2]), 0, "the minority is not paid");
        assertEq(jobManager.balanceOf(who[0]), _fee(), "majority paid");
        assertEq(token.balanceOf(address(proofOfCompute)), 0, "no bond left behind");
        _assertManagerSolvent(_holders(who, address(0)));
    }

    function testActiveNodeChallengeOfACheaterWins() public {
        uint64 id = _resultWith(AUDIT_NONE, FORGED_ROOT);
        _fundAndChallenge(node2, id);
        _fixSeed(id, keccak256("seed-5"));
        address[] memory who = _verify(id, [OUTPUT_ROOT, OUTPUT_ROOT, OUTPUT_ROOT]);
        _resolve(id, _sorted(who));
        uint256 bond = uint256(PRICE) * BOND_BPS / BPS;
        _assertState(id, IAIJobManager.JobState.Failed);
        assertEq(token.balanceOf(node2), CHALLENGE_BOND, "bond returned");
        assertEq(jobManager.balanceOf(node2), bond * SLASH_CHALLENGER_BPS / BPS, "challenger's share of the slash");
        _assertManagerSolvent(_holders(who, node2));
    }

    // ================================================================== signed votes (one transaction)

    function testSignedVotesSettleAnAuditInOneTransaction() public {
        uint64 id = _resultWith(AUDIT_ALL, OUTPUT_ROOT);
        _audit(id, keccak256("seed-s1"));
        address[] memory who = _drawnK(id);
        ProofOfCompute.SignedVote[] memory votes = _signedVotes(id, [OUTPUT_ROOT, OUTPUT_ROOT, OUTPUT_ROOT]);
        _recordLogs();
        _resolveSigned(id, votes);
        Vm.Log[] memory logs = _logs();

        _assertState(id, IAIJobManager.JobState.Finalized);
        assertEq(jobManager.balanceOf(node1), PRICE, "worker paid its price");
        for (uint256 i; i < who.length; ++i) {
            assertEq(jobManager.balanceOf(who[i]), _fee(), "verifier fee");
            assertEq(
                uint256(proofOfCompute.voteOf(id, who[i]).status),
                uint256(ProofOfCompute.VoteStatus.None),
                "no vote stored on-chain"
            );
        }
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE - PRICE - 3 * _fee(), "requester gets the rest");
        _assertRevealedInOrder(logs, who, OUTPUT_ROOT, true);
        _assertLog(
            _findLog(logs, address(proofOfCompute), ProofOfCompute.DisputeResolved.selector),
            _topics(_t(uint256(id)), _t(address(0))),
            abi.encode(true, uint8(3), uint8(0))
        );
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        assertEq(d.openedAt, 0, "dispute closed");
        _assertManagerSolvent(_holders(who, address(0)));
    }

    function testSignedVotesCatchACheater() public {
        uint64 id = _resultWith(AUDIT_ALL, FORGED_ROOT);
        _audit(id, keccak256("seed-s2"));
        address[] memory who = _drawnK(id);
        ProofOfCompute.SignedVote[] memory votes = _signedVotes(id, [OUTPUT_ROOT, OUTPUT_ROOT, OUTPUT_ROOT]);
        _resolveSigned(id, votes);
        uint256 bond = uint256(PRICE) * BOND_BPS / BPS;
        uint256 each = _fee() + bond * SLASH_VERIFIERS_BPS / BPS / VERIFIERS;
        _assertState(id, IAIJobManager.JobState.Failed);
        assertEq(_node(node1).stake, DEFAULT_STAKE - bond, "worker's bond slashed");
        assertEq(jobManager.balanceOf(node1), 0, "worker unpaid");
        for (uint256 i; i < who.length; ++i) {
            assertEq(jobManager.balanceOf(who[i]), each, "verifier: fee plus its share of the slash");
        }
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE + bond - 3 * each, "requester refunded");
        _assertManagerSolvent(_holders(who, address(0)));
    }

    function testSignedVotesSettleAChallengeTheChallengerLoses() public {
        uint64 id = _resultWith(AUDIT_NONE, OUTPUT_ROOT);
        _fundAndChallenge(alice, id);
        _fixSeed(id, keccak256("seed-s3"));
        address[] memory who = _drawnK(id);
        ProofOfCompute.SignedVote[] memory votes = _signedVotes(id, [OUTPUT_ROOT, OUTPUT_ROOT, OUTPUT_ROOT]);
        _resolveSigned(id, votes);
        _assertState(id, IAIJobManager.JobState.Finalized);
        assertEq(token.balanceOf(node1), CHALLENGE_BOND, "the bond went to the worker");
        assertEq(token.balanceOf(address(proofOfCompute)), 0, "no bond left behind");
        _assertManagerSolvent(_holders(who, address(0)));
    }

    function testSplitSignedVotesGoOnChain() public {
        uint64 id = _resultWith(AUDIT_ALL, OUTPUT_ROOT);
        _audit(id, keccak256("seed-s4"));
        ProofOfCompute.SignedVote[] memory votes = _signedVotes(id, [OUTPUT_ROOT, FORGED_ROOT, OUTPUT_ROOT]);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotUnanimous.selector, id, votes[1].index));
        _resolveSigned(id, votes);
        // The same verifiers then vote on-chain, where 2 of 3 decide.
        address[] memory who = _verify(id, [OUTPUT_ROOT, FORGED_ROOT, OUTPUT_ROOT]);
        _resolve(id, _pick(who, 0, 2));
        _assertState(id, IAIJobManager.JobState.Finalized);
    }

    // ================================================================== absent verifiers

    function testVerifierThatNeverRevealsIsSlashedAndTheDisputeResolves() public {
        uint64 id = _resultWith(AUDIT_ALL, OUTPUT_ROOT);
        _audit(id, keccak256("seed-6"));
        (address[] memory who, uint256[] memory index) = _drawn(id, VERIFIERS);
        for (uint256 i; i < 3; ++i) {
            _commit(who[i], id, index[i], OUTPUT_ROOT, false, bytes32(i));
        }
        _reveal(who[0], id, OUTPUT_ROOT, false, bytes32(0));
        _reveal(who[1], id, OUTPUT_ROOT, false, bytes32(uint256(1)));
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        uint256 revealEnd = uint256(d.commitEnd) + REVEAL_WINDOW;
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.VotesPending.selector, id, revealEnd, block.timestamp)
        );
        _resolve(id, _pick(who, 0, 1));
        _warpTo(revealEnd);
        _resolve(id, _pick(who, 0, 1));
        _assertState(id, IAIJobManager.JobState.Finalized);

        uint256 aliceTokens = token.balanceOf(alice);
        _slashAbsent(id, who[2]);
        assertEq(_node(who[2]).stake, DEFAULT_STAKE - ABSENT_PENALTY, "absent verifier slashed");
        assertEq(token.balanceOf(alice), aliceTokens + ABSENT_PENALTY, "to the requester");
        assertEq(
            uint256(proofOfCompute.voteOf(id, who[2]).status), uint256(ProofOfCompute.VoteStatus.Slashed), "marked"
        );
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAbsent.selector, id, who[2]));
        _slashAbsent(id, who[2]);
    }

    function testAbsentVerifierIsReplacedInANewRound() public {
        uint64 id = _resultWith(AUDIT_ALL, OUTPUT_ROOT);
        _audit(id, keccak256("seed-7"));
        (address[] memory who, uint256[] memory index) = _drawn(id, VERIFIERS);
        for (uint256 i; i < 3; ++i) {
            _commit(who[i], id, index[i], i == 1 ? FORGED_ROOT : OUTPUT_ROOT, false, bytes32(i));
        }
        _reveal(who[0], id, OUTPUT_ROOT, false, bytes32(0));
        _reveal(who[1], id, FORGED_ROOT, false, bytes32(uint256(1)));
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        _warpTo(uint256(d.commitEnd) + REVEAL_WINDOW);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NoMajority.selector, id, uint8(1), uint8(1), 2));
        _resolve(id, new address[](0));

        _nextRound(id);
        (d,) = proofOfCompute.disputeOf(id);
        assertEq(d.round, 2, "round 2");
        assertEq(d.commits, 2, "the two revealed votes stay");
        _slashAbsent(id, who[2]);
        _fixSeed(id, keccak256("seed-7b"));
        (address[] memory more, uint256[] memory moreIndex) = _drawn(id, 1);
        assertEq(more.length, 1, "a replacement drawn");
        _commit(more[0], id, moreIndex[0], OUTPUT_ROOT, false, "r2");
        _reveal(more[0], id, OUTPUT_ROOT, false, "r2");
        _resolve(id, _pick(_pair(who[0], more[0]), 0, 1));
        _assertState(id, IAIJobManager.JobState.Finalized);
        assertEq(jobManager.balanceOf(more[0]), _fee(), "replacement paid");
        assertEq(jobManager.balanceOf(who[2]), 0, "absent unpaid");
    }

    function _pair(address a, address b) internal pure returns (address[] memory p) {
        p = new address[](2);
        (p[0], p[1]) = (a, b);
    }

    // ================================================================== fallback

    function testNoQuorumFallsBackToARefundWithoutSlash() public {
        uint64 id = _resultWith(AUDIT_NONE, OUTPUT_ROOT);
        _fundAndChallenge(alice, id);
        _warpTo(_disputeTimeoutAt(id));
        _resolveUnverified(id);
        _assertState(id, IAIJobManager.JobState.Failed);
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE, "refunded");
        assertEq(token.balanceOf(alice), CHALLENGE_BOND, "bond returned");
        assertEq(_node(node1).stake, DEFAULT_STAKE, "no slash");
        assertEq(_node(node1).locked, 0, "bond released");
    }

    function testClaimsAreCappedBelowTheVerificationBudget() public {
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        uint256 cap = DEFAULT_MAX_PRICE - uint256(DEFAULT_MAX_PRICE) * BUDGET_BPS / BPS;
        assertEq(jobManager.maxClaimPrice(_job(id)), cap, "cap");
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.PriceAboveMax.selector, id, cap + 1, cap));
        _claim(node1, id, uint96(cap + 1));
        _claim(node1, id, uint96(cap));
        _assertState(id, IAIJobManager.JobState.Claimed);
    }
}
