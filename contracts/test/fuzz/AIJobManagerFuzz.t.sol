// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AIJobManager} from "../../AIJobManager.sol";
import {IAIJobManager} from "../../interfaces/IAIJobManager.sol";
import {ArthaFixture} from "../utils/ArthaFixture.sol";

/// @notice Fuzz tests of the job manager: claim prices and the reverse auction, bond amounts, payouts and fees,
/// and every time window at and around its bounds.
contract AIJobManagerFuzzTest is ArthaFixture {
    /// @dev Up to a billion tokens (6 decimals): far above any real job, far below where uint96 bonds overflow.
    uint256 internal constant PRICE_CAP = 1e15;
    /// @dev Enough stake for the bond of a PRICE_CAP job at up to 3x bonds.
    uint96 internal constant BIG_STAKE = 3e15 + 1e6;

    function setUp() public override {
        super.setUp();
        _seedSystem();
    }

    function _seedSystem() internal {
        _seedModels();
        _registerNode(node1, 8, 80, BIG_STAKE);
        _registerNode(node2, 8, 80, BIG_STAKE);
    }

    function _openJobAt(uint96 maxPrice) internal returns (uint64) {
        AIJobManager.JobRequest memory req = _request();
        req.maxPrice = maxPrice;
        return _submitFunded(alice, req);
    }

    // ------------------------------------------------------------------ claim prices

    /// @notice Any price in (0, maxPrice] is accepted and locks price * bondBps / 10000; 0 and > maxPrice revert.
    function testFuzzClaimPrice(uint256 maxPriceSeed, uint256 priceSeed) public {
        uint96 maxPrice = uint96(bound(maxPriceSeed, 1, PRICE_CAP));
        uint96 price = uint96(bound(priceSeed, 0, uint256(maxPrice) * 2));
        uint64 id = _openJobAt(maxPrice);
        _warpToClaimWindow(id);
        if (price == 0) {
            _expectRevertNext(AIJobManager.ZeroPrice.selector);
        } else if (price > maxPrice) {
            _expectRevertNext(
                abi.encodeWithSelector(AIJobManager.PriceAboveMax.selector, id, uint256(price), uint256(maxPrice))
            );
        }
        _claim(node1, id, price);
        if (price == 0 || price > maxPrice) {
            _assertState(id, IAIJobManager.JobState.Open);
            assertEq(_node(node1).locked, 0, "nothing locked");
        } else {
            _assertState(id, IAIJobManager.JobState.Claimed);
            assertEq(_job(id).price, price, "price");
            assertEq(_node(node1).locked, uint256(price) * BOND_BPS / BPS, "bond");
        }
    }

    /// @notice A claim replaces the current one only when strictly lower; the replaced bond is released.
    function testFuzzLowerClaimReplaces(uint256 p1Seed, uint256 p2Seed) public {
        uint96 maxPrice = 1e12;
        uint96 p1 = uint96(bound(p1Seed, 1, maxPrice));
        uint96 p2 = uint96(bound(p2Seed, 1, maxPrice));
        uint64 id = _openJobAt(maxPrice);
        _warpToClaimWindow(id);
        _claim(node1, id, p1);
        if (p2 >= p1) {
            _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimNotLower.selector, id, uint256(p2), uint256(p1)));
        }
        _claim(node2, id, p2);
        if (p2 < p1) {
            assertEq(_job(id).claimer, node2, "replaced");
            assertEq(_job(id).price, p2, "new price");
            assertEq(_node(node1).locked, 0, "old bond released");
            assertEq(_node(node2).locked, _bond(p2), "new bond locked");
        } else {
            assertEq(_job(id).claimer, node1, "kept");
            assertEq(_job(id).price, p1, "old price");
            assertEq(_node(node1).locked, _bond(p1), "old bond kept");
            assertEq(_node(node2).locked, 0, "nothing locked");
        }
    }

    /// @notice A sequence of strictly falling claims by alternating nodes always leaves exactly one bond locked.
    function testFuzzFallingAuction(uint256 startSeed, uint8 stepsSeed) public {
        uint96 price = uint96(bound(startSeed, 100, 1e12));
        uint256 steps = bound(stepsSeed, 1, 12);
        uint64 id = _openJobAt(uint96(1e12));
        _warpToClaimWindow(id);
        for (uint256 i; i < steps && price > 0; ++i) {
            address n = i % 2 == 0 ? node1 : node2;
            _claim(n, id, price);
            address other = n == node1 ? node2 : node1;
            assertEq(_node(n).locked, _bond(price), "winner bond");
            assertEq(_node(other).locked, 0, "loser bond released");
            price = price / 2;
        }
    }

    // ------------------------------------------------------------------ bonds, payouts, fees

    /// @notice For any bondBps and price, the bond locked at claim is price * bondBps / 10000 and every ending
    /// (finalize, cancel before or after assignment, expire past the deadline) releases or slashes exactly it.
    function testFuzzBondLockedAndReleasedExactly(uint256 bpsSeed, uint256 priceSeed, uint8 ending) public {
        uint16 bondBps = uint16(bound(bpsSeed, 0, 30_000));
        Config memory c = _config();
        c.params = _params(bondBps);
        _deployArtha(c);
        _seedSystem();
        uint96 price = uint96(bound(priceSeed, 1, 1e12));
        uint256 bond = uint256(price) * bondBps / BPS;

        uint64 id = _openJobAt(uint96(1e12));
        _warpToClaimWindow(id);
        _claim(node1, id, price);
        assertEq(_node(node1).locked, bond, "locked at claim");

        uint8 e = ending % 4;
        if (e == 0) {
            _warpPastClaimEnd(id);
            _submitResult(node1, id);
            _warpPastChallengeWindow(id);
            _finalize(id);
            assertEq(_node(node1).stake, BIG_STAKE, "stake intact");
            assertEq(jobManager.balanceOf(node1), price, "paid price");
        } else if (e == 1) {
            _cancel(alice, id);
            assertEq(_node(node1).stake, BIG_STAKE, "stake intact");
        } else if (e == 2) {
            _warpPastClaimEnd(id);
            _cancel(alice, id);
            assertEq(_node(node1).stake, BIG_STAKE, "stake intact");
            assertEq(jobManager.balanceOf(node1), uint256(price) * CANCEL_FEE_BPS / BPS, "fee");
        } else {
            _warpPastDeadline(id);
            _expire(id);
            assertEq(_node(node1).stake, BIG_STAKE - bond, "slashed exactly the bond");
            assertEq(token.balanceOf(alice), bond, "bond to the requester");
        }
        assertEq(_node(node1).locked, 0, "nothing left locked");
    }

    /// @notice Finalize credits the node exactly its price and the requester exactly the rest.
    function testFuzzFinalizePayout(uint256 maxSeed, uint256 priceSeed) public {
        uint96 maxPrice = uint96(bound(maxSeed, 1, PRICE_CAP));
        uint96 price = uint96(bound(priceSeed, 1, maxPrice));
        uint64 id = _openJobAt(maxPrice);
        _warpToClaimWindow(id);
        _claim(node1, id, price);
        _warpPastClaimEnd(id);
        _submitResult(node1, id);
        _warpPastChallengeWindow(id);
        _finalize(id);
        assertEq(jobManager.balanceOf(node1), price, "node credit");
        assertEq(jobManager.balanceOf(alice), maxPrice - price, "refund");
        assertEq(token.balanceOf(address(jobManager)), maxPrice, "escrow == credits");
    }

    /// @notice Cancel at any time of a claimed job: full refund before claimEnd, the fixed fee until the
    /// deadline, NodeMissedDeadline after it.
    function testFuzzCancelFeeByTime(uint256 priceSeed, uint256 offsetSeed) public {
        uint96 price = uint96(bound(priceSeed, 1, DEFAULT_MAX_PRICE));
        uint64 id = _openJobAt(DEFAULT_MAX_PRICE);
        _warpToClaimWindow(id);
        _claim(node1, id, price);
        uint256 bidEnd = _bidEnd(id);
        uint256 claimEnd = _claimEnd(id);
        uint256 deadline = _deadline(id);
        uint256 t = bound(offsetSeed, bidEnd, deadline + 100);
        _warpTo(t);
        if (t > deadline) {
            _expectRevertNext(abi.encodeWithSelector(AIJobManager.NodeMissedDeadline.selector, id, deadline));
            _cancel(alice, id);
            return;
        }
        _cancel(alice, id);
        uint256 fee = t >= claimEnd ? uint256(price) * CANCEL_FEE_BPS / BPS : 0;
        assertEq(jobManager.balanceOf(node1), fee, "fee");
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE - fee, "refund");
        assertEq(_node(node1).locked, 0, "bond released");
    }

    // ------------------------------------------------------------------ windows and runtimes

    /// @notice A bid window is accepted iff minBidWindow <= w <= maxBidWindow.
    function testFuzzBidWindowBounds(uint32 bidWindow) public {
        AIJobManager.JobRequest memory req = _request();
        req.bidWindow = uint32(bound(bidWindow, 0, MAX_BID_WINDOW + 10));
        _fundRequester(alice, req.maxPrice);
        bool ok = req.bidWindow >= MIN_BID_WINDOW && req.bidWindow <= MAX_BID_WINDOW;
        if (!ok) {
            _expectRevertNext(
                abi.encodeWithSelector(
                    AIJobManager.BidWindowOutOfRange.selector, req.bidWindow, MIN_BID_WINDOW, MAX_BID_WINDOW
                )
            );
        }
        uint64 id = _submit(alice, req);
        if (ok) assertEq(_bidEnd(id), _now() + req.bidWindow, "bidEnd");
    }

    /// @notice A max runtime is accepted iff 0 < r <= maxRuntimeLimit.
    function testFuzzMaxRuntimeBounds(uint32 maxRuntime) public {
        AIJobManager.JobRequest memory req = _request();
        req.maxRuntime = uint32(bound(maxRuntime, 0, MAX_RUNTIME_LIMIT + 10));
        _fundRequester(alice, req.maxPrice);
        bool ok = req.maxRuntime != 0 && req.maxRuntime <= MAX_RUNTIME_LIMIT;
        if (!ok) {
            _expectRevertNext(
                abi.encodeWithSelector(AIJobManager.MaxRuntimeOutOfRange.selector, req.maxRuntime, MAX_RUNTIME_LIMIT)
            );
        }
        uint64 id = _submit(alice, req);
        if (ok) assertEq(_deadline(id), _claimEnd(id) + req.maxRuntime, "deadline");
    }

    /// @notice A claim lands iff bidEnd <= now < claimEnd, for any bid window.
    function testFuzzClaimTiming(uint32 bidWindowSeed, uint256 offsetSeed) public {
        AIJobManager.JobRequest memory req = _request();
        req.bidWindow = uint32(bound(bidWindowSeed, MIN_BID_WINDOW, MAX_BID_WINDOW));
        uint64 id = _submitFunded(alice, req);
        uint256 bidEnd = _bidEnd(id);
        uint256 claimEnd = _claimEnd(id);
        uint256 t = bound(offsetSeed, _now(), claimEnd + 10);
        _warpTo(t);
        if (t < bidEnd) {
            _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimWindowNotOpen.selector, id, bidEnd, t));
        } else if (t >= claimEnd) {
            _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimWindowClosed.selector, id, claimEnd, t));
        }
        _claim(node1, id, 1e6);
        bool ok = t >= bidEnd && t < claimEnd;
        assertEq(_job(id).claimer == node1, ok, "claimed iff inside the window");
    }

    /// @notice A result lands iff claimEnd <= now <= deadline, for any max runtime; expire works iff now > deadline.
    function testFuzzResultAndExpireTiming(uint32 runtimeSeed, uint256 offsetSeed) public {
        AIJobManager.JobRequest memory req = _request();
        req.maxRuntime = uint32(bound(runtimeSeed, 1, MAX_RUNTIME_LIMIT));
        uint64 id = _submitFunded(alice, req);
        _warpToClaimWindow(id);
        _claim(node1, id, 1e6);
        uint256 claimEnd = _claimEnd(id);
        uint256 deadline = _deadline(id);
        uint256 t = bound(offsetSeed, _now(), deadline + 10);
        _warpTo(t);
        if (t < claimEnd) {
            _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimWindowStillOpen.selector, id, claimEnd, t));
        } else if (t > deadline) {
            _expectRevertNext(abi.encodeWithSelector(AIJobManager.DeadlinePassed.selector, id, deadline, t));
        }
        _submitResult(node1, id);
        bool ok = t >= claimEnd && t <= deadline;
        assertEq(_state(id) == IAIJobManager.JobState.ResultSubmitted, ok, "result iff inside the window");
        if (!ok && t <= deadline) {
            _expectRevertNext(
                abi.encodeWithSelector(
                    AIJobManager.NotExpirable.selector, id, IAIJobManager.JobState.Claimed, deadline + 1, t
                )
            );
            _expire(id);
        } else if (!ok) {
            _expire(id);
            _assertState(id, IAIJobManager.JobState.Open);
        }
    }

    /// @notice A challenge lands iff now < resultAt + challengeWindow; finalize iff now >= it.
    function testFuzzChallengeWindow(uint256 offsetSeed, bool challengeFirst) public {
        uint64 id = _assignedJob(alice, node1, 1e6);
        _submitResult(node1, id);
        uint256 closesAt = _challengeEnds(id);
        uint256 t = bound(offsetSeed, _now(), closesAt + 10);
        _warpTo(t);
        _fundChallenger(alice);
        if (challengeFirst) {
            if (t >= closesAt) {
                _expectRevertNext(
                    abi.encodeWithSelector(AIJobManager.ChallengeWindowClosed.selector, id, closesAt, t)
                );
            }
            _challenge(alice, id);
            assertEq(_state(id) == IAIJobManager.JobState.Disputed, t < closesAt, "disputed iff in window");
        } else {
            if (t < closesAt) {
                _expectRevertNext(abi.encodeWithSelector(AIJobManager.ChallengeWindowOpen.selector, id, closesAt, t));
            }
            _finalize(id);
            assertEq(_state(id) == IAIJobManager.JobState.Finalized, t >= closesAt, "final iff window over");
        }
    }

    /// @notice Every auction that closes without a claim reopens, until maxAttempts, then the escrow is refunded.
    function testFuzzExpireAttempts(uint8 attemptsSeed, uint32 bidWindowSeed) public {
        uint8 maxAttempts = uint8(bound(attemptsSeed, 1, 6));
        Config memory c = _config();
        c.params.maxAttempts = maxAttempts;
        _deployArtha(c);
        _seedSystem();
        AIJobManager.JobRequest memory req = _request();
        req.bidWindow = uint32(bound(bidWindowSeed, MIN_BID_WINDOW, MAX_BID_WINDOW));
        uint64 id = _submitFunded(alice, req);
        for (uint256 i = 1; i <= maxAttempts; ++i) {
            _warpPastClaimEnd(id);
            uint256 t = _now();
            _expire(id);
            if (i < maxAttempts) {
                _assertState(id, IAIJobManager.JobState.Open);
                assertEq(_job(id).attempts, i, "attempts");
                assertEq(_bidEnd(id), t + req.bidWindow, "new bid window");
            }
        }
        _assertState(id, IAIJobManager.JobState.Expired);
        assertEq(jobManager.balanceOf(alice), req.maxPrice, "refund");
    }
}
