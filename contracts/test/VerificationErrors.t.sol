// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AIJobManager} from "../AIJobManager.sol";
import {ProofOfCompute} from "../ProofOfCompute.sol";
import {IAIJobManager} from "../interfaces/IAIJobManager.sol";
import {ArthaFixture} from "./utils/ArthaFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice Every custom error of ProofOfCompute's verification paths (audits, challenges by nodes, commit-reveal,
/// resolution, replacement rounds, absent verifiers) a caller can hit, each with its exact revert data; plus
/// AIJobManager's AuditDue and the verification-budget price cap, `drawVerifiers` re-arming a lost seed and the
/// `auditDue` view.
contract VerificationErrorsTest is ArthaFixture {
    uint96 internal constant PRICE = 60e6;
    uint16 internal constant BUDGET_BPS = 1000;
    uint8 internal constant AUDIT_ALWAYS = 101;
    uint8 internal constant AUDIT_NEVER = 1;
    uint8 internal constant AUDIT_HALF = 51;
    bytes32 internal constant SALT = keccak256("salt");
    bytes32 internal constant WRONG_ROOT = keccak256("wrong-root");

    address internal node4;
    address internal node5;
    address internal node6;

    function _config() internal pure override returns (Config memory c) {
        c = super._config();
        c.params.verificationBudgetBps = BUDGET_BPS;
    }

    function setUp() public override {
        super.setUp();
        _seedModels();
        node4 = _keyed(0x1004);
        node5 = _keyed(0x1005);
        node6 = _keyed(0x1006);
        _registerNode(node1);
        _registerNode(node2);
        _registerNode(node3);
        _registerNode(node4);
        _registerNode(node5);
        _registerNode(node6);
    }

    // ================================================================== helpers

    /// @dev A job of alice with policy byte `verification`, its result submitted by node1 at PRICE.
    function _resultJobV(uint8 verification) internal returns (uint64 id) {
        AIJobManager.JobRequest memory r = _request();
        r.verification = verification;
        id = _submitFunded(alice, r);
        _warpToClaimWindow(id);
        _claim(node1, id, PRICE);
        _warpPastClaimEnd(id);
        _submitResult(node1, id);
    }

    /// @dev The verifier the contract draws at `index` of `round` once the round's seed block has hash `h`
    /// (challenges and replacement rounds: seed = keccak256(h, jobId, round)), by a whole Fisher-Yates shuffle
    /// of the active set's positions: the contract's sparse one must give the same places.
    function _candidateFor(bytes32 h, uint64 id, uint8 round, uint256 index) internal view returns (address) {
        uint64 seed = uint64(uint256(keccak256(abi.encode(h, id, round))));
        if (seed == 0) seed = 1;
        uint256 n = nodeRegistry.activeCount();
        if (index >= n) return address(0);
        uint256[] memory perm = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            perm[i] = i;
        }
        for (uint256 i; i <= index; ++i) {
            uint256 j = i + uint256(keccak256(abi.encode(seed, round, i))) % (n - i);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        return nodeRegistry.activeAt(perm[index]);
    }

    /// @dev Number of verifiers besides the worker the draw of `h` names in `round` (its places name distinct
    /// nodes, or nobody past the active set).
    function _distinctFor(bytes32 h, uint64 id, uint8 round, address worker) internal view returns (uint256 n) {
        for (uint256 i; i < 2 * uint256(VERIFIERS); ++i) {
            address v = _candidateFor(h, id, round, i);
            if (v != address(0) && v != worker) ++n;
        }
    }

    /// @dev A seed whose draw names at least `want` distinct verifiers besides the worker.
    function _richSeed(uint64 id, uint8 round, uint256 want) internal view returns (bytes32 h) {
        for (uint256 i;; ++i) {
            h = keccak256(abi.encode("rich", i));
            if (_distinctFor(h, id, round, node1) >= want) return h;
        }
    }

    /// @dev A disputed job (alice challenged) whose round-1 seed is fixed and names at least `want` verifiers.
    function _challenged(uint256 want) internal returns (uint64 id) {
        id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        _fixSeed(id, _richSeed(id, 1, want));
    }

    function _verifiers(uint64 id, uint256 want) internal view returns (address[] memory who, uint256[] memory idx) {
        (who, idx) = _drawn(id, want);
        assertEq(who.length, want, "enough verifiers drawn");
    }

    function _commitEnd(uint64 id) internal view returns (uint256) {
        (ProofOfCompute.Dispute memory d,) = proofOfCompute.disputeOf(id);
        return d.commitEnd;
    }

    function _revealEnd(uint64 id) internal view returns (uint256) {
        return _commitEnd(id) + REVEAL_WINDOW;
    }

    /// @dev The three verifiers commit: `agreeing` of them the worker's output root, the rest a wrong one.
    function _commitThree(uint64 id, uint256 agreeing)
        internal
        returns (address[] memory who, bytes32[] memory results)
    {
        uint256[] memory idx;
        (who, idx) = _verifiers(id, 3);
        results = new bytes32[](3);
        for (uint256 i; i < 3; ++i) {
            results[i] = i < agreeing ? OUTPUT_ROOT : WRONG_ROOT;
            _commit(who[i], id, idx[i], results[i], false, SALT);
        }
    }

    function _sorted2(address a, address b) internal pure returns (address[] memory m) {
        m = new address[](2);
        (m[0], m[1]) = a < b ? (a, b) : (b, a);
    }

    function _one(address a) internal pure returns (address[] memory m) {
        m = new address[](1);
        m[0] = a;
    }

    /// @dev The seed block hash of a cleared audit of `id` at `rate` bps.
    function _clearingHash(uint64 id, uint256 rate) internal pure returns (bytes32 h) {
        for (uint256 i;; ++i) {
            h = keccak256(abi.encode("clear", i));
            if (uint256(keccak256(abi.encode(h, id))) % BPS >= rate) return h;
        }
    }

    /// @dev Rolls past `id`'s audit seed block and gives it hash `h`.
    function _setAuditSeed(uint64 id, bytes32 h) internal returns (uint256 seedBlock) {
        seedBlock = jobManager.lastChangeBlock(id) + AUDIT_DELAY;
        vm.roll(seedBlock + 1);
        vm.setBlockhash(seedBlock, h);
    }

    // ================================================================== opening

    function testNotAChallengerStranger() public {
        uint64 id = _resultJobV(0);
        _fundChallenger(stranger);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAChallenger.selector, id, stranger));
        _challenge(stranger, id);
        _assertState(id, IAIJobManager.JobState.ResultSubmitted);
    }

    function testNotAChallengerWorker() public {
        uint64 id = _resultJobV(0);
        _fundChallenger(node1);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAChallenger.selector, id, node1));
        _challenge(node1, id);
        // Any other active node may.
        _fundAndChallenge(node2, id);
        assertEq(proofOfCompute.challengeOf(id).challenger, node2, "node challenger");
    }

    function testNotAChallengerInactiveNode() public {
        uint64 id = _resultJobV(0);
        _requestUnstake(node2, DEFAULT_STAKE);
        assertFalse(nodeRegistry.isActive(node2), "node2 inactive");
        _fundChallenger(node2);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAChallenger.selector, id, node2));
        _challenge(node2, id);
    }

    function testStaleRecord() public {
        vm.roll(10);
        uint64 id = _resultJobV(AUDIT_ALWAYS);
        IAIJobManager.Job memory resulted = _job(id);
        IAIJobManager.Job memory forged = _job(id);
        forged.outputRoot = WRONG_ROOT;
        vm.roll(vm.getBlockNumber() + AUDIT_DELAY + 1);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.StaleRecord.selector, id));
        _arm();
        vm.prank(stranger);
        proofOfCompute.drawAudit(id, forged);
        _drawAudit(stranger, id);
        _assertState(id, IAIJobManager.JobState.Disputed);
        // Every later step refuses the pre-dispute record.
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.StaleRecord.selector, id));
        _arm();
        proofOfCompute.nextRound(id, resulted);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.StaleRecord.selector, id));
        _arm();
        proofOfCompute.resolve(id, resulted, new address[](0));
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.StaleRecord.selector, id));
        _arm();
        proofOfCompute.reveal(id, resulted, OUTPUT_ROOT, false, SALT);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.StaleRecord.selector, id));
        _arm();
        proofOfCompute.slashAbsent(id, resulted, node2);
    }

    function testNotAuditable() public {
        uint64 id = _openJob(alice);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.NotAuditable.selector, id, IAIJobManager.JobState.Open)
        );
        _drawAudit(stranger, id);
        _warpToClaimWindow(id);
        _claim(node1, id, PRICE);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.NotAuditable.selector, id, IAIJobManager.JobState.Claimed)
        );
        _drawAudit(stranger, id);
        uint64 disputed = _resultJobV(AUDIT_ALWAYS);
        _fundAndChallenge(alice, disputed);
        vm.roll(vm.getBlockNumber() + AUDIT_DELAY + 1);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.NotAuditable.selector, disputed, IAIJobManager.JobState.Disputed)
        );
        _drawAudit(stranger, disputed);
    }

    function testAuditAlreadyDrawn() public {
        uint64 id = _resultJobV(AUDIT_HALF);
        uint256 seedBlock = _setAuditSeed(id, _clearingHash(id, 5000));
        _recordLogs();
        _drawAudit(stranger, id);
        _assertLog(
            _findLog(_logs(), address(proofOfCompute), ProofOfCompute.AuditDrawn.selector),
            _topics(_t(uint256(id))),
            abi.encode(false, seedBlock)
        );
        _assertState(id, IAIJobManager.JobState.ResultSubmitted);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.AuditAlreadyDrawn.selector, id));
        _drawAudit(stranger, id);
        // Rate 0: drawing clears it too, once.
        uint64 never = _resultJobV(AUDIT_NEVER);
        vm.roll(vm.getBlockNumber() + AUDIT_DELAY + 1);
        _drawAudit(stranger, never);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.AuditAlreadyDrawn.selector, never));
        _drawAudit(stranger, never);
    }

    function testSeedNotReadyAudit() public {
        vm.roll(50);
        uint64 id = _resultJobV(AUDIT_ALWAYS);
        uint256 seedBlock = jobManager.lastChangeBlock(id) + AUDIT_DELAY;
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.SeedNotReady.selector, id, seedBlock, vm.getBlockNumber())
        );
        _drawAudit(stranger, id);
        vm.roll(seedBlock);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.SeedNotReady.selector, id, seedBlock, seedBlock));
        _drawAudit(stranger, id);
        vm.roll(seedBlock + 1);
        _drawAudit(stranger, id);
        _assertState(id, IAIJobManager.JobState.Disputed);
    }

    function testSeedNotReadyVerifiers() public {
        vm.roll(50);
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        uint256 seedBlock = vm.getBlockNumber() + AUDIT_DELAY;
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.SeedNotReady.selector, id, seedBlock, vm.getBlockNumber())
        );
        _commit(node2, id, 0, OUTPUT_ROOT, false, SALT);
        vm.roll(seedBlock);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.SeedNotReady.selector, id, seedBlock, seedBlock));
        _arm();
        proofOfCompute.drawVerifiers(id);
    }

    function testSeedUnavailable() public {
        vm.roll(50);
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        uint256 seedBlock = vm.getBlockNumber() + AUDIT_DELAY;
        vm.roll(seedBlock + 257); // more than 256 blocks later: the hash is gone
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.SeedUnavailable.selector, id, seedBlock));
        _commit(node2, id, 0, OUTPUT_ROOT, false, SALT);
    }

    // ================================================================== commit

    function testCommitClosed() public {
        uint64 id = _challenged(3);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 1);
        uint256 commitEnd = _commitEnd(id);
        _warpTo(commitEnd);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.CommitClosed.selector, id, commitEnd, commitEnd));
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
    }

    function testVerifiersComplete() public {
        uint64 id = _challenged(4);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 4);
        for (uint256 i; i < 3; ++i) {
            _commit(who[i], id, idx[i], OUTPUT_ROOT, false, SALT);
        }
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.VerifiersComplete.selector, id));
        _commit(who[3], id, idx[3], OUTPUT_ROOT, false, SALT);
    }

    function testIndexOutOfRange() public {
        uint64 id = _challenged(3);
        uint256 limit = 2 * uint256(VERIFIERS);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.IndexOutOfRange.selector, id, limit, limit));
        _commit(node2, id, limit, OUTPUT_ROOT, false, SALT);
    }

    function testNotDrawn() public {
        uint64 id = _challenged(3);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotDrawn.selector, id, stranger, uint8(1), 0));
        _commit(stranger, id, 0, OUTPUT_ROOT, false, SALT);
        // A drawn verifier at another's index.
        address at0 = proofOfCompute.verifierAt(id, 1, 0);
        uint256 other;
        while (proofOfCompute.verifierAt(id, 1, other) == at0) ++other;
        address wrong = proofOfCompute.verifierAt(id, 1, other);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotDrawn.selector, id, wrong, uint8(1), 0));
        _commit(wrong, id, 0, OUTPUT_ROOT, false, SALT);
    }

    /// @dev A round-`round` seed hash whose draw names `who` at some place, and that place.
    function _seedDrawing(uint64 id, uint8 round, address who, string memory tag)
        internal
        view
        returns (bytes32 h, uint256 index)
    {
        for (uint256 i;; ++i) {
            h = keccak256(abi.encode(tag, i));
            for (index = 0; index < 2 * uint256(VERIFIERS); ++index) {
                if (_candidateFor(h, id, round, index) == who) return (h, index);
            }
        }
    }

    function testWorkerCannotVerify() public {
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        (bytes32 h, uint256 index) = _seedDrawing(id, 1, node1, "worker");
        _fixSeed(id, h);
        assertEq(proofOfCompute.verifierAt(id, 1, index), node1, "the worker is drawn");
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.WorkerCannotVerify.selector, id));
        _commit(node1, id, index, OUTPUT_ROOT, false, SALT);
    }

    function testChallengerCannotVerify() public {
        uint64 id = _resultJobV(0);
        _fundAndChallenge(node2, id);
        (bytes32 h, uint256 index) = _seedDrawing(id, 1, node2, "challenger");
        _fixSeed(id, h);
        assertEq(proofOfCompute.verifierAt(id, 1, index), node2, "the challenger is drawn");
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.ChallengerCannotVerify.selector, id));
        _commit(node2, id, index, OUTPUT_ROOT, false, SALT);
    }

    function testAlreadyVoted() public {
        uint64 id = _challenged(3);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 1);
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.AlreadyVoted.selector, id, who[0]));
        _commit(who[0], id, idx[0], WRONG_ROOT, false, SALT);
    }

    function testAlreadyVotedInEarlierRound() public {
        uint64 id = _challenged(3);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 2);
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
        _commit(who[1], id, idx[1], OUTPUT_ROOT, false, SALT);
        _warpTo(_commitEnd(id));
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
        _warpTo(_revealEnd(id));
        _nextRound(id);
        // Round 2: find a seed that draws round 1's revealed verifier again.
        bytes32 h;
        uint256 index = type(uint256).max;
        for (uint256 i; index == type(uint256).max; ++i) {
            h = keccak256(abi.encode("again", i));
            for (uint256 j; j < 2 * uint256(VERIFIERS); ++j) {
                if (_candidateFor(h, id, 2, j) == who[0]) {
                    index = j;
                    break;
                }
            }
        }
        _fixSeed(id, h);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.AlreadyVoted.selector, id, who[0]));
        _commit(who[0], id, index, OUTPUT_ROOT, false, SALT);
    }

    // ================================================================== reveal

    function testNothingToReveal() public {
        uint64 id = _challenged(3);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NothingToReveal.selector, id, stranger));
        _reveal(stranger, id, OUTPUT_ROOT, false, SALT);
        // Revealing twice.
        (address[] memory who,) = _commitThree(id, 3);
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NothingToReveal.selector, id, who[0]));
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
    }

    function testNothingToRevealFromEarlierRound() public {
        uint64 id = _challenged(3);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 1);
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
        _warpTo(_revealEnd(id));
        _nextRound(id);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NothingToReveal.selector, id, who[0]));
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
    }

    function testRevealNotOpen() public {
        uint64 id = _challenged(3);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 2);
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
        _commit(who[1], id, idx[1], OUTPUT_ROOT, false, SALT);
        uint256 commitEnd = _commitEnd(id);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.RevealNotOpen.selector, id, commitEnd, _now()));
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
        _warpTo(commitEnd - 1);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.RevealNotOpen.selector, id, commitEnd, commitEnd - 1)
        );
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
        _warpTo(commitEnd);
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
    }

    function testRevealClosed() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _commitThree(id, 3);
        uint256 revealEnd = _revealEnd(id);
        _warpTo(revealEnd);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.RevealClosed.selector, id, revealEnd, revealEnd));
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
    }

    function testCommitmentMismatch() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _commitThree(id, 3);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.CommitmentMismatch.selector, id, who[0]));
        _reveal(who[0], id, OUTPUT_ROOT, false, keccak256("other salt"));
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.CommitmentMismatch.selector, id, who[0]));
        _reveal(who[0], id, WRONG_ROOT, false, SALT);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.CommitmentMismatch.selector, id, who[0]));
        _reveal(who[0], id, OUTPUT_ROOT, true, SALT);
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
    }

    // ================================================================== resolution

    function testNoMajority() public {
        uint64 id = _challenged(3);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NoMajority.selector, id, 0, 0, 2));
        _resolve(id, new address[](0));
        (address[] memory who,) = _commitThree(id, 1);
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
        _reveal(who[1], id, WRONG_ROOT, false, SALT);
        _warpTo(_revealEnd(id));
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NoMajority.selector, id, 1, 1, 2));
        _resolve(id, _one(who[0]));
    }

    function testMajorityReachedNextRound() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _commitThree(id, 2);
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
        _reveal(who[1], id, OUTPUT_ROOT, false, SALT);
        _warpTo(_revealEnd(id));
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.MajorityReached.selector, id, 2, 0));
        _nextRound(id);
    }

    function testMajorityReachedResolveUnverified() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _commitThree(id, 1);
        for (uint256 i; i < 3; ++i) {
            _reveal(who[i], id, i == 0 ? OUTPUT_ROOT : WRONG_ROOT, false, SALT);
        }
        _warpPastDisputeTimeout(id);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.MajorityReached.selector, id, 1, 2));
        _resolveUnverified(id);
        // The majority decides instead: not upheld.
        _resolve(id, _sorted2(who[1], who[2]));
        _assertState(id, IAIJobManager.JobState.Failed);
    }

    function testVotesPending() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _commitThree(id, 3);
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
        _reveal(who[1], id, OUTPUT_ROOT, false, SALT);
        uint256 revealEnd = _revealEnd(id);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.VotesPending.selector, id, revealEnd, _now()));
        _resolve(id, _sorted2(who[0], who[1]));
        // Once the last vote is in, no wait.
        _reveal(who[2], id, OUTPUT_ROOT, false, SALT);
        address[] memory all = new address[](3);
        (all[0], all[1]) = (who[0], who[1]);
        all[2] = who[2];
        for (uint256 i; i < 3; ++i) {
            for (uint256 j = i + 1; j < 3; ++j) {
                if (all[j] < all[i]) (all[i], all[j]) = (all[j], all[i]);
            }
        }
        _resolve(id, all);
        _assertState(id, IAIJobManager.JobState.Finalized);
    }

    function testMajorityMismatch() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _commitThree(id, 2);
        for (uint256 i; i < 3; ++i) {
            _reveal(who[i], id, i < 2 ? OUTPUT_ROOT : WRONG_ROOT, false, SALT);
        }
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.MajorityMismatch.selector, id, 1, 2));
        _resolve(id, _one(who[0]));
        address[] memory three = new address[](3);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.MajorityMismatch.selector, id, 3, 2));
        _resolve(id, three);
    }

    function testNotInMajorityWrongSide() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _commitThree(id, 2);
        for (uint256 i; i < 3; ++i) {
            _reveal(who[i], id, i < 2 ? OUTPUT_ROOT : WRONG_ROOT, false, SALT);
        }
        // who[2] disagreed; the majority agreed.
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotInMajority.selector, id, who[2]));
        _resolve(id, _sorted2(who[0], who[2]));
        // Someone who never voted.
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotInMajority.selector, id, stranger));
        _resolve(id, _sorted2(who[0], stranger));
    }

    function testNotInMajorityUnsorted() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _commitThree(id, 2);
        for (uint256 i; i < 3; ++i) {
            _reveal(who[i], id, i < 2 ? OUTPUT_ROOT : WRONG_ROOT, false, SALT);
        }
        address[] memory m = _sorted2(who[0], who[1]);
        (m[0], m[1]) = (m[1], m[0]);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotInMajority.selector, id, m[1]));
        _resolve(id, m);
        // A duplicate is not increasing either.
        m[0] = m[1];
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotInMajority.selector, id, m[1]));
        _resolve(id, m);
        _resolve(id, _sorted2(who[0], who[1]));
        _assertState(id, IAIJobManager.JobState.Finalized);
    }

    /// @dev The no-quorum fallback must not cut off a round whose committed verifiers may still reveal: that
    /// would let anyone (the requester gets the penalties) slash them with `slashAbsent` though they could not
    /// reveal. Here the reveal phase does not even open before the timeout (one commit of three).
    function testVotesPendingResolveUnverified() public {
        uint64 id = _challenged(3);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 1);
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
        uint256 revealEnd = _revealEnd(id);
        _warpPastDisputeTimeout(id);
        assertLt(_now(), _commitEnd(id), "timeout before the reveal phase opens");
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.VotesPending.selector, id, revealEnd, _now()));
        _resolveUnverified(id);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.RoundNotOver.selector, id, revealEnd, _now())
        );
        _slashAbsent(id, who[0]);
        // Once the round is over the verifier was absent indeed: the fallback applies and it can be slashed.
        _warpTo(revealEnd);
        _resolveUnverified(id);
        _assertState(id, IAIJobManager.JobState.Failed);
        _slashAbsent(id, who[0]);
        assertEq(_node(who[0]).stake, DEFAULT_STAKE - ABSENT_PENALTY, "absent verifier slashed");
    }

    // ================================================================== rounds and absent verifiers

    function testRoundNotOverNextRound() public {
        uint64 id = _challenged(3);
        uint256 revealEnd = _revealEnd(id);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.RoundNotOver.selector, id, revealEnd, _now()));
        _nextRound(id);
        _warpTo(revealEnd - 1);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.RoundNotOver.selector, id, revealEnd, revealEnd - 1)
        );
        _nextRound(id);
        _warpTo(revealEnd);
        _nextRound(id);
    }

    function testRoundNotOverSlashAbsent() public {
        uint64 id = _challenged(3);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 1);
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
        uint256 revealEnd = _revealEnd(id);
        _warpTo(revealEnd - 1);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.RoundNotOver.selector, id, revealEnd, revealEnd - 1)
        );
        _slashAbsent(id, who[0]);
        _warpTo(revealEnd);
        _slashAbsent(id, who[0]);
        assertEq(_node(who[0]).stake, DEFAULT_STAKE - ABSENT_PENALTY, "absent verifier slashed");
        assertEq(token.balanceOf(alice), ABSENT_PENALTY, "penalty to the requester");
    }

    function testNoRoundsLeft() public {
        uint64 id = _challenged(3);
        _warpTo(_revealEnd(id));
        _nextRound(id);
        _warpTo(_revealEnd(id));
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NoRoundsLeft.selector, id, MAX_ROUNDS));
        _nextRound(id);
    }

    function testNotAbsent() public {
        uint64 id = _challenged(3);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAbsent.selector, id, stranger));
        _slashAbsent(id, stranger);
        (address[] memory who,) = _commitThree(id, 3);
        _reveal(who[0], id, OUTPUT_ROOT, false, SALT);
        _warpTo(_revealEnd(id));
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAbsent.selector, id, who[0]));
        _slashAbsent(id, who[0]);
        _slashAbsent(id, who[1]);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotAbsent.selector, id, who[1]));
        _slashAbsent(id, who[1]);
    }

    // ================================================================== deployment

    // ================================================================== signed votes

    /// @dev Three signed votes for `result` by the round's first three drawn verifiers.
    function _signedThree(uint64 id, bytes32 result) internal view returns (ProofOfCompute.SignedVote[] memory v) {
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 3);
        v = new ProofOfCompute.SignedVote[](3);
        for (uint256 i; i < 3; ++i) {
            v[i] = ProofOfCompute.SignedVote(idx[i], result, false, SALT, 0, 0);
            _signVote(who[i], id, 1, v[i]);
        }
    }

    function testSignedNoChallenge() public {
        uint64 id = _resultJobV(0);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NoChallenge.selector, id));
        _resolveSigned(id, new ProofOfCompute.SignedVote[](3));
    }

    function testSignedStaleRecord() public {
        uint64 id = _challenged(3);
        ProofOfCompute.SignedVote[] memory votes = _signedThree(id, OUTPUT_ROOT);
        IAIJobManager.Job memory record = _rec(id);
        record.price += 1;
        vm.expectRevert(abi.encodeWithSelector(ProofOfCompute.StaleRecord.selector, id));
        vm.prank(stranger);
        proofOfCompute.resolveSigned(id, record, votes);
    }

    function testSignedOnChainVotes() public {
        uint64 id = _challenged(3);
        ProofOfCompute.SignedVote[] memory votes = _signedThree(id, OUTPUT_ROOT);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 1);
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.OnChainVotes.selector, id, uint8(1)));
        _resolveSigned(id, votes);
    }

    function testSignedVoteCount() public {
        uint64 id = _challenged(3);
        ProofOfCompute.SignedVote[] memory votes = _signedThree(id, OUTPUT_ROOT);
        assembly ("memory-safe") {
            mstore(votes, 2)
        }
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.VoteCount.selector, id, 2, 3));
        _resolveSigned(id, votes);
    }

    function testSignedIndexOutOfRange() public {
        uint64 id = _challenged(3);
        ProofOfCompute.SignedVote[] memory votes = _signedThree(id, OUTPUT_ROOT);
        votes[1].index = 6;
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.IndexOutOfRange.selector, id, 6, 6));
        _resolveSigned(id, votes);
    }

    /// @dev Votes whose first is `who`'s, signed at a place a searched seed draws it (the rest left empty).
    function _signedFirstBy(uint64 id, address who, string memory tag)
        internal
        returns (ProofOfCompute.SignedVote[] memory votes)
    {
        (bytes32 h, uint256 index) = _seedDrawing(id, 1, who, tag);
        _fixSeed(id, h);
        votes = new ProofOfCompute.SignedVote[](3);
        votes[0] = _signVote(who, id, 1, ProofOfCompute.SignedVote(index, OUTPUT_ROOT, false, SALT, 0, 0));
    }

    function testSignedWorkerCannotVerify() public {
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        ProofOfCompute.SignedVote[] memory votes = _signedFirstBy(id, node1, "worker");
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.WorkerCannotVerify.selector, id));
        _resolveSigned(id, votes);
    }

    function testSignedChallengerCannotVerify() public {
        uint64 id = _resultJobV(0);
        _fundAndChallenge(node2, id);
        ProofOfCompute.SignedVote[] memory votes = _signedFirstBy(id, node2, "challenger");
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.ChallengerCannotVerify.selector, id));
        _resolveSigned(id, votes);
    }

    function testSignedDuplicateVerifier() public {
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        _fixSeed(id, _richSeed(id, 1, 1));
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 1);
        address v = who[0];
        // Distinct places name distinct nodes, so only the same place given twice names a verifier twice.
        ProofOfCompute.SignedVote[] memory votes = new ProofOfCompute.SignedVote[](3);
        votes[0] = _signVote(v, id, 1, ProofOfCompute.SignedVote(idx[0], OUTPUT_ROOT, false, SALT, 0, 0));
        votes[1] = votes[0];
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.DuplicateVerifier.selector, id, v));
        _resolveSigned(id, votes);
    }

    function testSignedBadSignature() public {
        uint64 id = _challenged(3);
        (address[] memory who,) = _verifiers(id, 3);
        // A result changed after signing.
        ProofOfCompute.SignedVote[] memory votes = _signedThree(id, OUTPUT_ROOT);
        votes[2].result = WRONG_ROOT;
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.BadSignature.selector, id, votes[2].index, who[2]));
        _resolveSigned(id, votes);
        // Signed by another drawn verifier.
        votes = _signedThree(id, OUTPUT_ROOT);
        (votes[1].r, votes[1].vs) = (votes[0].r, votes[0].vs);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.BadSignature.selector, id, votes[1].index, who[1]));
        _resolveSigned(id, votes);
        // Signed for another round.
        votes = _signedThree(id, OUTPUT_ROOT);
        _signVote(who[0], id, 2, votes[0]);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.BadSignature.selector, id, votes[0].index, who[0]));
        _resolveSigned(id, votes);
        // No signature at all.
        votes = _signedThree(id, OUTPUT_ROOT);
        (votes[0].r, votes[0].vs) = (bytes32(0), bytes32(0));
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.BadSignature.selector, id, votes[0].index, who[0]));
        _resolveSigned(id, votes);
        // The valid votes still settle it.
        _resolveSigned(id, _signedThree(id, OUTPUT_ROOT));
        _assertState(id, IAIJobManager.JobState.Finalized);
    }

    function testSignedNotUnanimous() public {
        uint64 id = _challenged(3);
        ProofOfCompute.SignedVote[] memory votes = _signedThree(id, OUTPUT_ROOT);
        (address[] memory who,) = _verifiers(id, 3);
        votes[2].result = WRONG_ROOT;
        _signVote(who[2], id, 1, votes[2]);
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotUnanimous.selector, id, votes[2].index));
        _resolveSigned(id, votes);
    }

    /// @dev Every node leaves the active set after the draw: nobody is drawn any more, on-chain or signed
    /// (the empty-set guard, not a division by zero).
    function testNoActiveNodes() public {
        uint64 id = _challenged(3);
        ProofOfCompute.SignedVote[] memory votes = _signedThree(id, OUTPUT_ROOT);
        (address[] memory who, uint256[] memory idx) = _verifiers(id, 1);
        address[6] memory all = [node1, node2, node3, node4, node5, node6];
        for (uint256 i; i < all.length; ++i) {
            _requestUnstake(all[i], nodeRegistry.freeStake(all[i]));
        }
        assertEq(nodeRegistry.activeCount(), 0, "no active nodes");
        assertEq(proofOfCompute.verifierAt(id, 1, idx[0]), address(0), "nobody drawn");
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotDrawn.selector, id, who[0], uint8(1), idx[0]));
        _commit(who[0], id, idx[0], OUTPUT_ROOT, false, SALT);
        _expectRevertNext(
            abi.encodeWithSelector(ProofOfCompute.NotDrawn.selector, id, address(0), uint8(1), votes[0].index)
        );
        _resolveSigned(id, votes);
        _assertState(id, IAIJobManager.JobState.Disputed);
    }

    /// @dev A signed vote for a place past the end of the active set names nobody, and an unsigned one must not
    /// pass as that nobody's (a failed signature recovery gives zero too).
    function testSignedVoteAtEmptyPlace() public {
        uint64 id = _challenged(3);
        ProofOfCompute.SignedVote[] memory votes = _signedThree(id, OUTPUT_ROOT);
        _requestUnstake(node5, nodeRegistry.freeStake(node5));
        _requestUnstake(node6, nodeRegistry.freeStake(node6));
        assertEq(nodeRegistry.activeCount(), 4, "four active nodes");
        assertEq(proofOfCompute.verifierAt(id, 1, 4), address(0), "nobody at place 4");
        (votes[0].index, votes[0].r, votes[0].vs) = (4, bytes32(0), bytes32(0));
        _expectRevertNext(abi.encodeWithSelector(ProofOfCompute.NotDrawn.selector, id, address(0), uint8(1), 4));
        _resolveSigned(id, votes);
    }

    /// @dev Any seed: signed votes from the round's furthest places (spares' places included), given in reverse
    /// place order, settle the dispute: each names the node `verifierAt` draws there.
    function testFuzzSignedVotesFromFurthestPlaces(bytes32 h) public {
        vm.assume(h != 0);
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        _fixSeed(id, h);
        (address[] memory who, uint256[] memory idx) = _drawn(id, 2 * uint256(VERIFIERS));
        assertGe(who.length, uint256(VERIFIERS), "enough verifiers drawn");
        ProofOfCompute.SignedVote[] memory votes = new ProofOfCompute.SignedVote[](VERIFIERS);
        for (uint256 i; i < votes.length; ++i) {
            uint256 at = who.length - 1 - i;
            votes[i] = ProofOfCompute.SignedVote(idx[at], OUTPUT_ROOT, false, SALT, 0, 0);
            _signVote(who[at], id, 1, votes[i]);
        }
        assertGt(votes[0].index, uint256(VERIFIERS) - 1, "a spare's place voted");
        _resolveSigned(id, votes);
        _assertState(id, IAIJobManager.JobState.Finalized);
    }

    /// @dev Any seed, any active set: a round's places name distinct active nodes, the same ones a whole
    /// Fisher-Yates shuffle names (`_candidateFor`), and nobody past the end of the active set.
    function testFuzzDrawWithoutRepeats(bytes32 h, uint8 leaving) public {
        vm.assume(h != 0);
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        _fixSeed(id, h);
        address[4] memory others = [node3, node4, node5, node6];
        for (uint256 i; i < leaving % 5; ++i) {
            _requestUnstake(others[i], nodeRegistry.freeStake(others[i]));
        }
        uint256 active = nodeRegistry.activeCount();
        address[] memory seen = new address[](2 * uint256(VERIFIERS));
        for (uint256 i; i < seen.length; ++i) {
            address v = proofOfCompute.verifierAt(id, 1, i);
            assertEq(v, _candidateFor(h, id, 1, i), "the whole shuffle's place");
            if (i >= active) {
                assertEq(v, address(0), "nobody past the active set");
                continue;
            }
            assertTrue(nodeRegistry.isActive(v), "an active node");
            for (uint256 j; j < i; ++j) {
                assertTrue(seen[j] != v, "no node at two places");
            }
            seen[i] = v;
        }
    }

    /// @dev The smallest network that can verify: with k + 1 active nodes every seed draws the k nodes other
    /// than the worker (before draws without repeats, four nodes reached k = 3 about half the time).
    function testFuzzFourNodesAlwaysDrawK(bytes32 h) public {
        vm.assume(h != 0);
        _requestUnstake(node5, nodeRegistry.freeStake(node5));
        _requestUnstake(node6, nodeRegistry.freeStake(node6));
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id); // the requester: not a node, so like an audit it excludes only the worker
        _fixSeed(id, h);
        (address[] memory who,) = _verifiers(id, VERIFIERS);
        address[3] memory want = [node2, node3, node4];
        for (uint256 i; i < want.length; ++i) {
            assertTrue(_within(who, who.length, want[i]), "each non-worker node drawn");
        }
    }


    function testConstructorRevertsInvalidParams() public {
        for (uint256 i; i < 6; ++i) {
            ProofOfCompute.Params memory p = cfg.proof;
            if (i == 0) p.verifiers = 0;
            else if (i == 1) p.verifiers = 33;
            else if (i == 2) p.maxRounds = 0;
            else if (i == 3) p.auditBps = 10_001;
            else if (i == 4) p.auditDelay = 0;
            else p.slashChallengerBps = uint16(BPS - p.slashVerifiersBps + 1);
            _expectRevertNext(ProofOfCompute.InvalidParams.selector);
            _deployArtifact(
                "contracts/ProofOfCompute.sol:ProofOfCompute",
                abi.encode(address(jobManager), address(token), address(nodeRegistry), seedSource, p)
            );
        }
        // The edges are accepted.
        ProofOfCompute.Params memory q = cfg.proof;
        q.verifiers = 32;
        q.auditBps = 10_000;
        q.slashChallengerBps = uint16(BPS - q.slashVerifiersBps);
        address ok = _deployArtifact(
            "contracts/ProofOfCompute.sol:ProofOfCompute",
            abi.encode(address(jobManager), address(token), address(nodeRegistry), seedSource, q)
        );
        assertEq(ProofOfCompute(ok).verifiers(), 32, "edge params accepted");
    }

    // ================================================================== job manager

    function testAuditDue() public {
        uint64 id = _resultJobV(AUDIT_ALWAYS);
        _warpPastChallengeWindow(id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.AuditDue.selector, id));
        _finalize(id);
        // The seed gone: still due (it counts as audited).
        vm.roll(jobManager.lastChangeBlock(id) + AUDIT_DELAY + 300);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.AuditDue.selector, id));
        _finalize(id);
    }

    function testAuditDueUntilClearDraw() public {
        uint64 id = _resultJobV(AUDIT_HALF);
        _setAuditSeed(id, _clearingHash(id, 5000));
        _warpPastChallengeWindow(id);
        vm.setBlockhash(jobManager.lastChangeBlock(id) + AUDIT_DELAY, _auditingHash(id, 5000));
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.AuditDue.selector, id));
        _finalize(id);
        vm.setBlockhash(jobManager.lastChangeBlock(id) + AUDIT_DELAY, _clearingHash(id, 5000));
        _drawAudit(stranger, id);
        _finalize(id);
        _assertState(id, IAIJobManager.JobState.Finalized);
    }

    function _auditingHash(uint64 id, uint256 rate) internal pure returns (bytes32 h) {
        for (uint256 i;; ++i) {
            h = keccak256(abi.encode("audit", i));
            if (uint256(keccak256(abi.encode(h, id))) % BPS < rate) return h;
        }
    }

    function testPriceAboveMaxAtBudgetCap() public {
        uint64 id = _openJob(alice);
        uint256 cap = DEFAULT_MAX_PRICE - uint256(DEFAULT_MAX_PRICE) * BUDGET_BPS / BPS;
        assertEq(jobManager.maxClaimPrice(_job(id)), cap, "maxClaimPrice");
        assertEq(jobManager.verificationBudget(DEFAULT_MAX_PRICE), DEFAULT_MAX_PRICE - cap, "budget");
        _warpToClaimWindow(id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.PriceAboveMax.selector, id, cap + 1, cap));
        _claim(node1, id, uint96(cap + 1));
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.PriceAboveMax.selector, id, uint256(DEFAULT_MAX_PRICE), cap)
        );
        _claim(node1, id, DEFAULT_MAX_PRICE);
        _claim(node1, id, uint96(cap));
        assertEq(_job(id).price, cap, "claimed at the cap");
    }

    // ================================================================== drawVerifiers and auditDue

    function testDrawVerifiersRearmsWhenSeedGone() public {
        vm.roll(50);
        uint64 id = _resultJobV(0);
        _fundAndChallenge(alice, id);
        uint256 seedBlock = vm.getBlockNumber() + AUDIT_DELAY;
        uint256 commitEnd = _commitEnd(id);
        vm.roll(seedBlock + 300);
        uint256 rearmed = vm.getBlockNumber() + AUDIT_DELAY;
        _recordLogs();
        vm.prank(stranger);
        proofOfCompute.drawVerifiers(id);
        _assertLog(
            _findLog(_logs(), address(proofOfCompute), ProofOfCompute.VerifiersDrawn.selector),
            _topics(_t(uint256(id))),
            abi.encode(uint8(1), uint64(0), rearmed, uint32(commitEnd))
        );
        (, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
        assertEq(draw.seedBlock, rearmed, "new seed block");
        assertEq(draw.seed, 0, "seed not fixed yet");
        assertEq(proofOfCompute.verifierAt(id, 1, 0), address(0), "nobody drawn yet");
        // The new block's seed draws them.
        bytes32 h = _richSeed(id, 1, 3);
        _fixSeed(id, h);
        (, draw) = proofOfCompute.disputeOf(id);
        assertEq(draw.seedBlock, rearmed, "seed block kept");
        assertEq(proofOfCompute.verifierAt(id, 1, 0), _candidateFor(h, id, 1, 0), "drawn from the new seed");
        // Once fixed, drawing again is a no-op.
        _recordLogs();
        proofOfCompute.drawVerifiers(id);
        assertEq(_logs().length, 0, "no event once fixed");
    }

    function testAuditDueSemantics() public {
        vm.roll(50);
        // Rate 0 (the deployment's default auditBps and an explicit 0% override): never due.
        uint64 none = _resultJobV(0);
        uint64 never = _resultJobV(AUDIT_NEVER);
        uint256 rb = jobManager.lastChangeBlock(none);
        assertFalse(proofOfCompute.auditDue(none, 0, rb), "default rate 0: not due");
        assertFalse(proofOfCompute.auditDue(never, AUDIT_NEVER, jobManager.lastChangeBlock(never)), "0%: not due");
        // Nonzero rate: due until the seed block's hash exists.
        uint64 id = _resultJobV(AUDIT_HALF);
        uint256 resultBlock = jobManager.lastChangeBlock(id);
        uint256 seedBlock = resultBlock + AUDIT_DELAY;
        assertTrue(proofOfCompute.auditDue(id, AUDIT_HALF, resultBlock), "due before the seed block");
        vm.roll(seedBlock);
        assertTrue(proofOfCompute.auditDue(id, AUDIT_HALF, resultBlock), "due at the seed block");
        vm.roll(seedBlock + 1);
        vm.setBlockhash(seedBlock, _auditingHash(id, 5000));
        assertTrue(proofOfCompute.auditDue(id, AUDIT_HALF, resultBlock), "due when drawn");
        vm.setBlockhash(seedBlock, _clearingHash(id, 5000));
        assertFalse(proofOfCompute.auditDue(id, AUDIT_HALF, resultBlock), "not due when the draw is clear");
        // The seed gone: due again until drawn.
        vm.roll(seedBlock + 300);
        assertTrue(proofOfCompute.auditDue(id, AUDIT_HALF, resultBlock), "due when the seed is gone");
        // A clear draw made in time stays clear after the seed is gone.
        uint64 cleared = _resultJobV(AUDIT_HALF);
        uint256 rb2 = jobManager.lastChangeBlock(cleared);
        _setAuditSeed(cleared, _clearingHash(cleared, 5000));
        _drawAudit(stranger, cleared);
        vm.roll(rb2 + AUDIT_DELAY + 300);
        assertFalse(proofOfCompute.auditDue(cleared, AUDIT_HALF, rb2), "cleared: not due");
        assertFalse(proofOfCompute.auditDue(cleared, AUDIT_ALWAYS, rb2), "cleared: not due at any rate");
    }

    function testAuditOpensDisputeWithSameSeed() public {
        vm.roll(50);
        uint64 id = _resultJobV(AUDIT_ALWAYS);
        bytes32 h = keccak256("audit seed");
        uint256 seedBlock = _setAuditSeed(id, h);
        _drawAudit(stranger, id);
        (ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
        assertEq(d.challenger, address(0), "audit: no challenger");
        assertEq(draw.seedBlock, seedBlock, "the audit's seed block");
        uint64 seed = uint64(uint256(keccak256(abi.encode(h, id, "verifiers"))));
        assertEq(draw.seed, seed == 0 ? 1 : seed, "seed fixed at once");
        assertEq(proofOfCompute.challengeOf(id).bond, 0, "no bond");
    }

    function testAuditWithSeedGoneWaitsForNewSeed() public {
        vm.roll(50);
        uint64 id = _resultJobV(AUDIT_ALWAYS);
        uint256 auditSeedBlock = jobManager.lastChangeBlock(id) + AUDIT_DELAY;
        vm.roll(auditSeedBlock + 300);
        uint256 expected = vm.getBlockNumber() + AUDIT_DELAY;
        _recordLogs();
        _drawAudit(stranger, id);
        Vm.Log[] memory logs = _logs();
        _assertLog(
            _findLog(logs, address(proofOfCompute), ProofOfCompute.AuditDrawn.selector),
            _topics(_t(uint256(id))),
            abi.encode(true, auditSeedBlock)
        );
        _assertState(id, IAIJobManager.JobState.Disputed);
        (, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(id);
        assertEq(draw.seedBlock, expected, "waits for a new block");
        assertEq(draw.seed, 0, "no seed yet");
    }
}
