// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeRegistry} from "../../NodeRegistry.sol";
import {INodeRegistry} from "../../interfaces/INodeRegistry.sol";
import {ArthaFixture} from "../utils/ArthaFixture.sol";

/// @notice Fuzz tests of the node registry: stake amounts, unstake/unbonding, bond lock/release/slash arithmetic,
/// and the eligibility rules (capabilities, certification with expiry).
contract NodeRegistryFuzzTest is ArthaFixture {
    address internal jobsCaller = address(0x10B5);
    uint256 internal constant AMOUNT_CAP = 1e24;

    function setUp() public override {
        super.setUp();
        nodeRegistry.grantRole(jobsRole, jobsCaller);
    }

    function _assertStakeInvariant(address op) internal view {
        NodeRegistry.Node memory n = _node(op);
        assertLe(uint256(n.locked) + n.unbonding, n.stake, "locked + unbonding <= stake");
        assertEq(nodeRegistry.isActive(op), n.registered && n.stake - n.unbonding >= MIN_STAKE, "active set");
        assertEq(nodeRegistry.freeStake(op), uint256(n.stake) - n.locked - n.unbonding, "freeStake");
    }

    /// @notice Registration accepts any stake in [minStake, uint96.max] and nothing else.
    function testFuzzRegisterStake(uint256 stake) public {
        NodeRegistry.Registration memory reg = _registration(_caps(1, 24));
        if (stake < MIN_STAKE) {
            _expectRevertNext(abi.encodeWithSelector(NodeRegistry.StakeBelowMinimum.selector, stake, MIN_STAKE));
        } else if (stake > type(uint96).max) {
            _expectRevertNext(abi.encodeWithSelector(NodeRegistry.AmountTooLarge.selector, stake));
        } else {
            _fund(node1, address(nodeRegistry), stake);
        }
        _registerNodeRaw(node1, reg, stake);
        bool ok = stake >= MIN_STAKE && stake <= type(uint96).max;
        assertEq(_node(node1).registered, ok, "registered");
        if (ok) {
            assertEq(_node(node1).stake, stake, "stake");
            assertEq(token.balanceOf(address(nodeRegistry)), stake, "held");
            _assertStakeInvariant(node1);
        }
    }

    /// @notice add, lock, unstake, withdraw with arbitrary amounts keep the accounting exact.
    function testFuzzStakeLifecycle(uint256 initSeed, uint256 addSeed, uint256 lockSeed, uint256 unstakeSeed) public {
        uint256 initial = bound(initSeed, MIN_STAKE, AMOUNT_CAP);
        uint256 added = bound(addSeed, 1, AMOUNT_CAP);
        _registerNode(node1, 1, 24, initial);
        _fundAndAddStake(node1, added);
        uint256 stake = initial + added;
        assertEq(_node(node1).stake, stake, "stake after add");

        uint256 locked = bound(lockSeed, 0, stake);
        _lockBond(jobsCaller, node1, locked, _req(0, 0, 0));
        uint256 free = stake - locked;
        uint256 amount = bound(unstakeSeed, 0, stake + 1);
        if (amount == 0) {
            _expectRevertNext(NodeRegistry.ZeroAmount.selector);
        } else if (amount > free) {
            _expectRevertNext(abi.encodeWithSelector(NodeRegistry.InsufficientFreeStake.selector, node1, free, amount));
        }
        _requestUnstake(node1, amount);
        _assertStakeInvariant(node1);
        if (amount == 0 || amount > free) return;

        assertEq(_node(node1).unbonding, amount, "unbonding");
        _warpBy(UNBONDING_DELAY);
        uint256 before = token.balanceOf(node1);
        _withdrawStake(node1);
        assertEq(token.balanceOf(node1) - before, amount, "withdrawn exactly");
        assertEq(_node(node1).stake, stake - amount, "stake after withdraw");
        assertEq(_node(node1).locked, locked, "locked untouched");
        assertEq(token.balanceOf(address(nodeRegistry)), stake - amount, "registry holds the rest");
        _assertStakeInvariant(node1);
    }

    /// @notice Withdraw works iff the unbonding delay (restarted by the last request) is over.
    function testFuzzUnbondingDelay(uint256 gapSeed, uint256 offsetSeed) public {
        _registerNode(node1);
        _requestUnstake(node1, 10e6);
        _warpBy(bound(gapSeed, 0, 2 * UNBONDING_DELAY));
        _requestUnstake(node1, 5e6); // restarts the delay
        uint256 ends = _now() + UNBONDING_DELAY;
        assertEq(_node(node1).unbondingEnds, ends, "ends");
        uint256 t = bound(offsetSeed, _now(), ends + 10);
        _warpTo(t);
        if (t < ends) {
            _expectRevertNext(abi.encodeWithSelector(NodeRegistry.UnbondingNotOver.selector, node1, ends, t));
        }
        _withdrawStake(node1);
        assertEq(token.balanceOf(node1), t < ends ? 0 : 15e6, "withdrawn iff over");
    }

    /// @notice lock / release / slash move exactly the given amounts and never break locked + unbonding <= stake.
    function testFuzzLockReleaseSlash(uint256 stakeSeed, uint256 lockSeed, uint256 releaseSeed, uint256 slashSeed)
        public
    {
        uint256 stake = bound(stakeSeed, MIN_STAKE, AMOUNT_CAP);
        _registerNode(node1, 1, 24, stake);
        uint256 lockAmount = bound(lockSeed, 0, stake + 1);
        if (lockAmount > stake) {
            _expectRevertNext(
                abi.encodeWithSelector(NodeRegistry.InsufficientFreeStake.selector, node1, stake, lockAmount)
            );
        }
        _lockBond(jobsCaller, node1, lockAmount, _req(0, 0, 0));
        if (lockAmount > stake) return;

        uint256 release = bound(releaseSeed, 0, lockAmount + 1);
        if (release > lockAmount) {
            _expectRevertNext(
                abi.encodeWithSelector(NodeRegistry.InsufficientLockedStake.selector, node1, lockAmount, release)
            );
        }
        _releaseBond(jobsCaller, node1, release);
        uint256 locked = release > lockAmount ? lockAmount : lockAmount - release;
        assertEq(_node(node1).locked, locked, "after release");

        uint256 slash = bound(slashSeed, 0, locked + 1);
        if (slash > locked) {
            _expectRevertNext(abi.encodeWithSelector(NodeRegistry.InsufficientLockedStake.selector, node1, locked, slash));
        }
        _slashBond(jobsCaller, node1, slash, alice);
        if (slash <= locked) {
            assertEq(_node(node1).locked, locked - slash, "after slash: locked");
            assertEq(_node(node1).stake, stake - slash, "after slash: stake");
            assertEq(token.balanceOf(alice), slash, "slashed to recipient");
            assertEq(token.balanceOf(address(nodeRegistry)), stake - slash, "registry balance");
        }
        _assertStakeInvariant(node1);
    }

    /// @notice A node is eligible iff gpuCount >= required and (no GPU required or VRAM >= required).
    function testFuzzCapabilities(uint8 gpus, uint16 vram, uint8 reqGpus, uint16 reqVram) public {
        _registerNode(node1, gpus, vram, DEFAULT_STAKE);
        INodeRegistry.Requirements memory r = _req(reqGpus, reqVram, 0);
        bool ok = gpus >= reqGpus && (reqGpus == 0 || vram >= reqVram);
        if (!ok) {
            _expectRevertNext(abi.encodeWithSelector(NodeRegistry.CapabilitiesTooLow.selector, node1, gpus, vram, r));
        }
        _lockBond(jobsCaller, node1, 1, r);
        assertEq(_node(node1).locked, ok ? 1 : 0, "locked iff eligible");
    }

    /// @notice Certification counts iff level >= required and now < expiry (required 0 needs nothing).
    function testFuzzCertification(uint8 level, uint256 expirySeed, uint8 required, uint256 warpSeed) public {
        _registerNode(node1);
        uint40 expiry = uint40(bound(expirySeed, _now() + 1, _now() + 365 days));
        if (level != 0) _certify(node1, level, expiry);
        uint40 storedExpiry = level != 0 ? expiry : 0;
        uint256 t = bound(warpSeed, _now(), uint256(expiry) + 10);
        _warpTo(t);
        bool ok = required == 0 || (level >= required && t < storedExpiry);
        if (!ok) {
            _expectRevertNext(
                abi.encodeWithSelector(
                    NodeRegistry.CertificationTooLow.selector, node1, level, uint256(storedExpiry), required
                )
            );
        }
        _lockBond(jobsCaller, node1, 1, _req(0, 0, required));
        assertEq(_node(node1).locked, ok ? 1 : 0, "locked iff certified");
    }

    /// @notice Active-set membership tracks stake - unbonding >= minStake through stake changes.
    function testFuzzActiveSet(uint256 stakeSeed, uint256 unstakeSeed, uint256 addSeed) public {
        uint256 stake = bound(stakeSeed, MIN_STAKE, 10 * uint256(MIN_STAKE));
        _registerNode(node1, 1, 24, stake);
        _registerNode(node2);
        uint256 amount = bound(unstakeSeed, 1, stake);
        _requestUnstake(node1, amount);
        _assertStakeInvariant(node1);
        uint256 add = bound(addSeed, 1, 10 * uint256(MIN_STAKE));
        _fundAndAddStake(node1, add);
        _assertStakeInvariant(node1);
        bool active = stake + add - amount >= MIN_STAKE;
        assertEq(nodeRegistry.activeCount(), active ? 2 : 1, "count");
        bool listed;
        for (uint256 i; i < nodeRegistry.activeCount(); ++i) {
            if (nodeRegistry.activeAt(i) == node1) listed = true;
        }
        assertEq(listed, active, "enumerable membership");
    }
}
