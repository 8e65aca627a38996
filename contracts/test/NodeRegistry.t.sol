// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {NodeRegistry} from "../NodeRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {ArthaFixture} from "./utils/ArthaFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice Unit tests for NodeRegistry: every external function's success path (events, state, balances) and
/// every custom error it raises.
contract NodeRegistryTest is ArthaFixture {
    address internal jobsCaller = address(0x10B5);

    function setUp() public override {
        super.setUp();
        // A stand-in for the job contracts, so lockBond/releaseBond/slashBond can be driven directly.
        nodeRegistry.grantRole(jobsRole, jobsCaller);
    }

    // ------------------------------------------------------------------ deployment

    function testDeploymentParamsAndRoles() public view {
        assertEq(address(nodeRegistry.token()), address(token), "token");
        assertEq(nodeRegistry.minStake(), MIN_STAKE, "minStake");
        assertEq(nodeRegistry.unbondingDelay(), UNBONDING_DELAY, "unbondingDelay");
        assertTrue(nodeRegistry.hasRole(nodeRegistry.DEFAULT_ADMIN_ROLE(), address(this)), "admin");
        assertTrue(nodeRegistry.hasRole(jobsRole, address(jobManager)), "jobs role: manager");
        assertTrue(nodeRegistry.hasRole(jobsRole, address(proofOfCompute)), "jobs role: proof");
        assertTrue(nodeRegistry.hasRole(certifierRole, certifier), "certifier role");
        assertEq(jobsRole, keccak256("JOBS_ROLE"), "JOBS_ROLE id");
        assertEq(certifierRole, keccak256("CERTIFIER_ROLE"), "CERTIFIER_ROLE id");
        assertEq(nodeRegistry.activeCount(), 0, "no active nodes");
    }

    // ------------------------------------------------------------------ register

    function testRegister() public {
        NodeRegistry.Registration memory reg = _registration(_caps(4, 48));
        _fund(node1, address(nodeRegistry), DEFAULT_STAKE);
        _recordLogs();
        _registerNodeRaw(node1, reg, DEFAULT_STAKE);
        Vm.Log[] memory logs = _logs();

        _assertLog(
            _findLog(logs, address(nodeRegistry), NodeRegistry.NodeRegistered.selector),
            _topics(_t(node1)),
            abi.encode(uint256(DEFAULT_STAKE), reg.capabilities, reg.peerId, reg.multiaddrs, reg.apiUrl)
        );
        _assertLog(
            _findLog(logs, address(nodeRegistry), NodeRegistry.ActiveChanged.selector),
            _topics(_t(node1)),
            abi.encode(true)
        );

        NodeRegistry.Node memory n = _node(node1);
        assertTrue(n.registered, "registered");
        assertEq(n.stake, DEFAULT_STAKE, "stake");
        assertEq(n.locked, 0, "locked");
        assertEq(n.unbonding, 0, "unbonding");
        assertEq(n.unbondingEnds, 0, "unbondingEnds");
        assertEq(n.certLevel, 0, "certLevel");
        assertEq(n.certExpiry, 0, "certExpiry");
        assertEq(n.gpuCount, 4, "gpuCount");
        assertEq(n.vramGbPerGpu, 48, "vram");
        assertEq(n.cpuCores, 32, "cpu");
        assertEq(n.ramGb, 256, "ram");
        assertEq(n.runtimeFlags, 3, "flags");

        NodeRegistry.NodeMeta memory m = nodeRegistry.getNodeMeta(node1);
        assertEq(m.gpuModel, reg.capabilities.gpuModel, "gpuModel");
        assertEq(m.peerId, reg.peerId, "peerId");
        assertEq(m.multiaddrs.length, 2, "multiaddrs");
        assertEq(m.multiaddrs[0], reg.multiaddrs[0], "multiaddr 0");
        assertEq(m.multiaddrs[1], reg.multiaddrs[1], "multiaddr 1");
        assertEq(m.apiUrl, reg.apiUrl, "apiUrl");

        assertEq(token.balanceOf(address(nodeRegistry)), DEFAULT_STAKE, "registry holds stake");
        assertEq(token.balanceOf(node1), 0, "operator paid");
        assertTrue(nodeRegistry.isActive(node1), "active");
        assertEq(nodeRegistry.activeCount(), 1, "activeCount");
        assertEq(nodeRegistry.activeAt(0), node1, "activeAt(0)");
        assertEq(nodeRegistry.freeStake(node1), DEFAULT_STAKE, "freeStake");
    }

    function testRegisterAtExactlyMinStake() public {
        _registerNode(node1, 1, 24, MIN_STAKE);
        assertTrue(nodeRegistry.isActive(node1), "active at minStake");
    }

    function testRegisterSeveralNodesEnumerable() public {
        _registerNode(node1);
        _registerNode(node2);
        _registerNode(node3);
        assertEq(nodeRegistry.activeCount(), 3, "count");
        assertEq(nodeRegistry.activeAt(0), node1, "at 0");
        assertEq(nodeRegistry.activeAt(1), node2, "at 1");
        assertEq(nodeRegistry.activeAt(2), node3, "at 2");
    }

    function testRegisterRevertsAlreadyRegistered() public {
        _registerNode(node1);
        _fund(node1, address(nodeRegistry), DEFAULT_STAKE);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.AlreadyRegistered.selector, node1));
        _registerNodeRaw(node1, _registration(_caps(1, 24)), DEFAULT_STAKE);
    }

    function testRegisterRevertsStakeBelowMinimum() public {
        _fund(node1, address(nodeRegistry), MIN_STAKE);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.StakeBelowMinimum.selector, MIN_STAKE - 1, MIN_STAKE));
        _registerNodeRaw(node1, _registration(_caps(1, 24)), MIN_STAKE - 1);
    }

    function testRegisterRevertsZeroStake() public {
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.StakeBelowMinimum.selector, 0, MIN_STAKE));
        _registerNodeRaw(node1, _registration(_caps(1, 24)), 0);
    }

    function testRegisterRevertsEmptyPeerId() public {
        NodeRegistry.Registration memory reg = _registration(_caps(1, 24));
        reg.peerId = "";
        _fund(node1, address(nodeRegistry), DEFAULT_STAKE);
        _expectRevertNext(NodeRegistry.EmptyPeerId.selector);
        _registerNodeRaw(node1, reg, DEFAULT_STAKE);
    }

    function testRegisterRevertsAmountTooLarge() public {
        uint256 huge = uint256(type(uint96).max) + 1;
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.AmountTooLarge.selector, huge));
        _registerNodeRaw(node1, _registration(_caps(1, 24)), huge);
    }

    function testRegisterRevertsInsufficientAllowance() public {
        _mint(node1, DEFAULT_STAKE);
        _approve(node1, address(nodeRegistry), DEFAULT_STAKE - 1);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(nodeRegistry),
                DEFAULT_STAKE - 1,
                DEFAULT_STAKE
            )
        );
        _registerNodeRaw(node1, _registration(_caps(1, 24)), DEFAULT_STAKE);
    }

    function testRegisterRevertsInsufficientBalance() public {
        _mint(node1, DEFAULT_STAKE - 1);
        _approve(node1, address(nodeRegistry), DEFAULT_STAKE);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, node1, DEFAULT_STAKE - 1, DEFAULT_STAKE
            )
        );
        _registerNodeRaw(node1, _registration(_caps(1, 24)), DEFAULT_STAKE);
    }

    // ------------------------------------------------------------------ update

    function testUpdate() public {
        _registerNode(node1);
        NodeRegistry.Registration memory reg = _registration(_caps(2, 16));
        reg.peerId = "12D3KooWOther";
        reg.apiUrl = "https://node.example:7070";
        reg.multiaddrs = new string[](1);
        reg.multiaddrs[0] = "/dns4/node.example/tcp/4001";
        reg.capabilities.gpuModel = "RTX 4090";
        _recordLogs();
        _updateNode(node1, reg);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.NodeUpdated.selector),
            _topics(_t(node1)),
            abi.encode(reg.capabilities, reg.peerId, reg.multiaddrs, reg.apiUrl)
        );
        NodeRegistry.Node memory n = _node(node1);
        assertEq(n.gpuCount, 2, "gpuCount");
        assertEq(n.vramGbPerGpu, 16, "vram");
        assertEq(n.stake, DEFAULT_STAKE, "stake unchanged");
        NodeRegistry.NodeMeta memory m = nodeRegistry.getNodeMeta(node1);
        assertEq(m.gpuModel, "RTX 4090", "gpuModel");
        assertEq(m.peerId, "12D3KooWOther", "peerId");
        assertEq(m.multiaddrs.length, 1, "multiaddrs replaced");
        assertEq(m.multiaddrs[0], "/dns4/node.example/tcp/4001", "multiaddr");
        assertEq(m.apiUrl, "https://node.example:7070", "apiUrl");
    }

    function testUpdateRevertsNotRegistered() public {
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NotRegistered.selector, node1));
        _updateNode(node1, _registration(_caps(1, 24)));
    }

    function testUpdateRevertsEmptyPeerId() public {
        _registerNode(node1);
        NodeRegistry.Registration memory reg = _registration(_caps(1, 24));
        reg.peerId = "";
        _expectRevertNext(NodeRegistry.EmptyPeerId.selector);
        _updateNode(node1, reg);
    }

    // ------------------------------------------------------------------ addStake

    function testAddStake() public {
        _registerNode(node1);
        _fund(node1, address(nodeRegistry), 50e6);
        _recordLogs();
        _addStake(node1, 50e6);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.StakeAdded.selector),
            _topics(_t(node1)),
            abi.encode(uint256(50e6), uint256(DEFAULT_STAKE + 50e6))
        );
        assertEq(_node(node1).stake, DEFAULT_STAKE + 50e6, "stake");
        assertEq(token.balanceOf(address(nodeRegistry)), DEFAULT_STAKE + 50e6, "registry balance");
    }

    function testAddStakeReactivatesNode() public {
        _registerNode(node1, 1, 24, MIN_STAKE);
        _requestUnstake(node1, 1);
        assertFalse(nodeRegistry.isActive(node1), "inactive after unstake");
        _fund(node1, address(nodeRegistry), 1);
        _recordLogs();
        _addStake(node1, 1);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.ActiveChanged.selector),
            _topics(_t(node1)),
            abi.encode(true)
        );
        assertTrue(nodeRegistry.isActive(node1), "active again");
    }

    function testAddStakeRevertsZeroAmount() public {
        _registerNode(node1);
        _expectRevertNext(NodeRegistry.ZeroAmount.selector);
        _addStake(node1, 0);
    }

    function testAddStakeRevertsNotRegistered() public {
        _fund(node1, address(nodeRegistry), 1e6);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NotRegistered.selector, node1));
        _addStake(node1, 1e6);
    }

    function testAddStakeRevertsInsufficientAllowance() public {
        _registerNode(node1);
        _mint(node1, 5e6);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(nodeRegistry), 0, uint256(5e6)
            )
        );
        _addStake(node1, 5e6);
    }

    function testAddStakeRevertsAmountTooLarge() public {
        _registerNode(node1);
        uint256 amount = uint256(type(uint96).max) - DEFAULT_STAKE + 1;
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.AmountTooLarge.selector, uint256(type(uint96).max) + 1)
        );
        _addStake(node1, amount);
    }

    // ------------------------------------------------------------------ requestUnstake

    function testRequestUnstake() public {
        _registerNode(node1);
        uint256 ends = _now() + UNBONDING_DELAY;
        _recordLogs();
        _requestUnstake(node1, 300e6);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.UnstakeRequested.selector),
            _topics(_t(node1)),
            abi.encode(uint256(300e6), uint256(300e6), ends)
        );
        NodeRegistry.Node memory n = _node(node1);
        assertEq(n.unbonding, 300e6, "unbonding");
        assertEq(n.unbondingEnds, ends, "unbondingEnds");
        assertEq(n.stake, DEFAULT_STAKE, "stake unchanged");
        assertEq(nodeRegistry.freeStake(node1), DEFAULT_STAKE - 300e6, "free");
        assertTrue(nodeRegistry.isActive(node1), "still active");
    }

    function testRequestUnstakeAddsAndRestartsDelay() public {
        _registerNode(node1);
        _requestUnstake(node1, 100e6);
        _warpBy(1000);
        uint256 ends = _now() + UNBONDING_DELAY;
        _recordLogs();
        _requestUnstake(node1, 50e6);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.UnstakeRequested.selector),
            _topics(_t(node1)),
            abi.encode(uint256(50e6), uint256(150e6), ends)
        );
        assertEq(_node(node1).unbondingEnds, ends, "delay restarted");
    }

    function testRequestUnstakeBelowMinDeactivates() public {
        _registerNode(node1);
        _recordLogs();
        _requestUnstake(node1, DEFAULT_STAKE - MIN_STAKE + 1);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.ActiveChanged.selector),
            _topics(_t(node1)),
            abi.encode(false)
        );
        assertFalse(nodeRegistry.isActive(node1), "inactive");
        assertEq(nodeRegistry.activeCount(), 0, "count");
    }

    function testRequestUnstakeRevertsZeroAmount() public {
        _registerNode(node1);
        _expectRevertNext(NodeRegistry.ZeroAmount.selector);
        _requestUnstake(node1, 0);
    }

    function testRequestUnstakeRevertsNotRegistered() public {
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NotRegistered.selector, node1));
        _requestUnstake(node1, 1);
    }

    function testRequestUnstakeRevertsInsufficientFreeStake() public {
        _registerNode(node1);
        _expectRevertNext(
            abi.encodeWithSelector(
                NodeRegistry.InsufficientFreeStake.selector, node1, uint256(DEFAULT_STAKE), DEFAULT_STAKE + 1
            )
        );
        _requestUnstake(node1, DEFAULT_STAKE + 1);
    }

    function testRequestUnstakeRevertsWhenStakeLockedOrUnbonding() public {
        _registerNode(node1);
        _lockBond(jobsCaller, node1, 400e6, _req(0, 0, 0));
        _requestUnstake(node1, 100e6);
        // free = 1000 - 400 locked - 100 unbonding = 500
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientFreeStake.selector, node1, uint256(500e6), uint256(501e6))
        );
        _requestUnstake(node1, 501e6);
        _requestUnstake(node1, 500e6);
        assertEq(nodeRegistry.freeStake(node1), 0, "all used");
    }

    // ------------------------------------------------------------------ withdraw

    function testWithdraw() public {
        _registerNode(node1);
        _requestUnstake(node1, 300e6);
        _warpBy(UNBONDING_DELAY);
        _recordLogs();
        _withdrawStake(node1);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.StakeWithdrawn.selector),
            _topics(_t(node1)),
            abi.encode(uint256(300e6), uint256(DEFAULT_STAKE - 300e6))
        );
        NodeRegistry.Node memory n = _node(node1);
        assertEq(n.stake, DEFAULT_STAKE - 300e6, "stake");
        assertEq(n.unbonding, 0, "unbonding");
        assertEq(n.unbondingEnds, 0, "unbondingEnds");
        assertEq(token.balanceOf(node1), 300e6, "paid out");
        assertEq(token.balanceOf(address(nodeRegistry)), DEFAULT_STAKE - 300e6, "registry balance");
        assertTrue(nodeRegistry.isActive(node1), "still active");
    }

    function testWithdrawAllStakeLeavesActiveSet() public {
        _registerNode(node1);
        _requestUnstake(node1, DEFAULT_STAKE);
        assertFalse(nodeRegistry.isActive(node1), "inactive while unbonding");
        _warpBy(UNBONDING_DELAY);
        _recordLogs();
        _withdrawStake(node1);
        // Already inactive: no second ActiveChanged.
        assertEq(_countLogs(_logs(), address(nodeRegistry), NodeRegistry.ActiveChanged.selector), 0, "no event");
        assertEq(_node(node1).stake, 0, "stake");
        assertTrue(_node(node1).registered, "stays registered");
        assertEq(token.balanceOf(node1), DEFAULT_STAKE, "all back");
    }

    function testWithdrawRevertsNothingToWithdraw() public {
        _registerNode(node1);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NothingToWithdraw.selector, node1));
        _withdrawStake(node1);
    }

    function testWithdrawRevertsNotRegistered() public {
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NotRegistered.selector, node1));
        _withdrawStake(node1);
    }

    function testWithdrawRevertsUnbondingNotOver() public {
        _registerNode(node1);
        _requestUnstake(node1, 100e6);
        uint256 ends = _node(node1).unbondingEnds;
        _warpTo(ends - 1);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.UnbondingNotOver.selector, node1, ends, ends - 1));
        _withdrawStake(node1);
        _warpTo(ends);
        _withdrawStake(node1);
    }

    // ------------------------------------------------------------------ certify

    function testCertify() public {
        _registerNode(node1);
        uint40 expiry = uint40(_now() + 30 days);
        _recordLogs();
        _certify(node1, 2, expiry);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.CertificationSet.selector),
            _topics(_t(node1), _t(certifier)),
            abi.encode(uint8(2), uint256(expiry))
        );
        assertEq(_node(node1).certLevel, 2, "level");
        assertEq(_node(node1).certExpiry, expiry, "expiry");
    }

    function testCertifyRevokeWithPastExpiry() public {
        _registerNode(node1);
        _certify(node1, 2, uint40(_now() + 1 days));
        _certify(node1, 0, 0);
        assertEq(_node(node1).certLevel, 0, "revoked");
        assertEq(_node(node1).certExpiry, 0, "expiry cleared");
    }

    function testCertifyRevertsNotCertifier() public {
        _registerNode(node1);
        _expectRevertNext(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, certifierRole)
        );
        _certifyAs(stranger, node1, 1, uint40(_now() + 1 days));
        // Not even the admin holds CERTIFIER_ROLE.
        _expectRevertNext(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), certifierRole
            )
        );
        _certifyAs(address(this), node1, 1, uint40(_now() + 1 days));
    }

    function testCertifyRevertsNotRegistered() public {
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NotRegistered.selector, node1));
        _certify(node1, 1, uint40(_now() + 1 days));
    }

    function testCertifyRevertsExpiryInPast() public {
        _registerNode(node1);
        uint40 nowTs = uint40(_now());
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.CertExpiryInPast.selector, uint256(nowTs)));
        _certify(node1, 1, nowTs);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.CertExpiryInPast.selector, uint256(nowTs - 1)));
        _certify(node1, 1, nowTs - 1);
    }

    // ------------------------------------------------------------------ lockBond

    function testLockBond() public {
        _registerNode(node1);
        _lockBond(jobsCaller, node1, 250e6, _req(8, 80, 0));
        assertEq(_node(node1).locked, 250e6, "locked");
        assertEq(nodeRegistry.freeStake(node1), DEFAULT_STAKE - 250e6, "free");
        _lockBond(jobsCaller, node1, DEFAULT_STAKE - 250e6, _req(0, 0, 0));
        assertEq(nodeRegistry.freeStake(node1), 0, "all locked");
    }

    function testLockBondIgnoresVramWhenNoGpuRequired() public {
        _registerNode(node1, 0, 0, DEFAULT_STAKE);
        _lockBond(jobsCaller, node1, 1, _req(0, 80, 0));
        assertEq(_node(node1).locked, 1, "locked");
    }

    function testLockBondWithValidCertification() public {
        _registerNode(node1);
        _certify(node1, 2, uint40(_now() + 1 days));
        _lockBond(jobsCaller, node1, 1, _req(1, 1, 2));
        _lockBond(jobsCaller, node1, 1, _req(1, 1, 1));
        assertEq(_node(node1).locked, 2, "locked");
    }

    function testLockBondRevertsNotJobsRole() public {
        _registerNode(node1);
        _expectRevertNext(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, jobsRole)
        );
        _lockBond(stranger, node1, 1, _req(0, 0, 0));
        _expectRevertNext(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, node1, jobsRole)
        );
        _lockBond(node1, node1, 1, _req(0, 0, 0));
    }

    function testLockBondRevertsNotRegistered() public {
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NotRegistered.selector, node1));
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 0));
    }

    function testLockBondRevertsNodeInactive() public {
        _registerNode(node1, 1, 24, MIN_STAKE);
        _requestUnstake(node1, 1);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NodeInactive.selector, node1));
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 0));
    }

    function testLockBondRevertsNodeInactiveAfterSlash() public {
        _registerNode(node1, 1, 24, MIN_STAKE);
        _lockBond(jobsCaller, node1, 10, _req(0, 0, 0));
        _slashBond(jobsCaller, node1, 10, alice);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NodeInactive.selector, node1));
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 0));
    }

    function testLockBondRevertsCapabilitiesTooLowGpuCount() public {
        _registerNode(node1, 2, 80, DEFAULT_STAKE);
        INodeRegistry.Requirements memory r = _req(4, 24, 0);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.CapabilitiesTooLow.selector, node1, uint8(2), uint16(80), r)
        );
        _lockBond(jobsCaller, node1, 1, r);
    }

    function testLockBondRevertsCapabilitiesTooLowVram() public {
        _registerNode(node1, 8, 16, DEFAULT_STAKE);
        INodeRegistry.Requirements memory r = _req(1, 24, 0);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.CapabilitiesTooLow.selector, node1, uint8(8), uint16(16), r)
        );
        _lockBond(jobsCaller, node1, 1, r);
    }

    function testLockBondRevertsCertificationTooLowLevel() public {
        _registerNode(node1);
        uint40 expiry = uint40(_now() + 1 days);
        _certify(node1, 1, expiry);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.CertificationTooLow.selector, node1, uint8(1), uint256(expiry), uint8(2))
        );
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 2));
    }

    function testLockBondRevertsCertificationNone() public {
        _registerNode(node1);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.CertificationTooLow.selector, node1, uint8(0), uint256(0), uint8(1))
        );
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 1));
    }

    function testLockBondRevertsCertificationExpired() public {
        _registerNode(node1);
        uint40 expiry = uint40(_now() + 1 days);
        _certify(node1, 3, expiry);
        _warpTo(expiry); // expiry is exclusive: at `expiry` the level no longer counts
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.CertificationTooLow.selector, node1, uint8(3), uint256(expiry), uint8(1))
        );
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 1));
        _warpTo(expiry - 1);
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 1));
    }

    function testLockBondRevertsInsufficientFreeStake() public {
        _registerNode(node1);
        _requestUnstake(node1, 100e6);
        _lockBond(jobsCaller, node1, 800e6, _req(0, 0, 0));
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientFreeStake.selector, node1, uint256(100e6), uint256(100e6 + 1))
        );
        _lockBond(jobsCaller, node1, 100e6 + 1, _req(0, 0, 0));
    }

    // ------------------------------------------------------------------ releaseBond

    function testReleaseBond() public {
        _registerNode(node1);
        _lockBond(jobsCaller, node1, 300e6, _req(0, 0, 0));
        _releaseBond(jobsCaller, node1, 100e6);
        assertEq(_node(node1).locked, 200e6, "locked");
        _releaseBond(jobsCaller, node1, 200e6);
        assertEq(_node(node1).locked, 0, "none locked");
        assertEq(_node(node1).stake, DEFAULT_STAKE, "stake untouched");
    }

    function testReleaseBondRevertsNotJobsRole() public {
        _registerNode(node1);
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 0));
        _expectRevertNext(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, jobsRole)
        );
        _releaseBond(stranger, node1, 1);
    }

    function testReleaseBondRevertsInsufficientLockedStake() public {
        _registerNode(node1);
        _lockBond(jobsCaller, node1, 5, _req(0, 0, 0));
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientLockedStake.selector, node1, uint256(5), uint256(6))
        );
        _releaseBond(jobsCaller, node1, 6);
        // An unregistered operator has nothing locked.
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientLockedStake.selector, node2, uint256(0), uint256(1))
        );
        _releaseBond(jobsCaller, node2, 1);
    }

    // ------------------------------------------------------------------ slashBond

    function testSlashBond() public {
        _registerNode(node1);
        _lockBond(jobsCaller, node1, 300e6, _req(0, 0, 0));
        _recordLogs();
        _slashBond(jobsCaller, node1, 120e6, alice);
        Vm.Log[] memory logs = _logs();
        _assertLog(
            _findLog(logs, address(nodeRegistry), NodeRegistry.Slashed.selector),
            _topics(_t(node1), _t(alice)),
            abi.encode(uint256(120e6), uint256(DEFAULT_STAKE - 120e6))
        );
        assertEq(_countLogs(logs, address(nodeRegistry), NodeRegistry.ActiveChanged.selector), 0, "still active");
        NodeRegistry.Node memory n = _node(node1);
        assertEq(n.stake, DEFAULT_STAKE - 120e6, "stake");
        assertEq(n.locked, 180e6, "locked");
        assertEq(token.balanceOf(alice), 120e6, "slash paid to recipient");
        assertEq(token.balanceOf(address(nodeRegistry)), DEFAULT_STAKE - 120e6, "registry balance");
    }

    function testSlashBondBelowMinDeactivates() public {
        _registerNode(node1, 1, 24, MIN_STAKE);
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 0));
        _recordLogs();
        _slashBond(jobsCaller, node1, 1, alice);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.ActiveChanged.selector),
            _topics(_t(node1)),
            abi.encode(false)
        );
        assertFalse(nodeRegistry.isActive(node1), "inactive");
    }

    function testSlashBondZeroAmount() public {
        _registerNode(node1);
        _recordLogs();
        _slashBond(jobsCaller, node1, 0, alice);
        _assertLog(
            _findLog(_logs(), address(nodeRegistry), NodeRegistry.Slashed.selector),
            _topics(_t(node1), _t(alice)),
            abi.encode(uint256(0), uint256(DEFAULT_STAKE))
        );
        assertEq(token.balanceOf(alice), 0, "nothing moved");
    }

    function testSlashBondRevertsNotJobsRole() public {
        _registerNode(node1);
        _lockBond(jobsCaller, node1, 1, _req(0, 0, 0));
        _expectRevertNext(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, jobsRole)
        );
        _slashBond(alice, node1, 1, alice);
    }

    function testSlashBondRevertsInsufficientLockedStake() public {
        _registerNode(node1);
        _lockBond(jobsCaller, node1, 10, _req(0, 0, 0));
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientLockedStake.selector, node1, uint256(10), uint256(11))
        );
        _slashBond(jobsCaller, node1, 11, alice);
    }

    function testSlashBondCannotTouchUnbondingStake() public {
        _registerNode(node1);
        _requestUnstake(node1, 900e6);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientLockedStake.selector, node1, uint256(0), uint256(1))
        );
        _slashBond(jobsCaller, node1, 1, alice);
    }

    // ------------------------------------------------------------------ views

    function testViewsOfUnknownOperator() public view {
        assertFalse(nodeRegistry.isActive(node1), "isActive");
        assertEq(nodeRegistry.freeStake(node1), 0, "freeStake");
        assertFalse(_node(node1).registered, "registered");
        assertEq(nodeRegistry.getNodeMeta(node1).peerId, "", "peerId");
    }

    function testActiveAtRevertsOutOfBounds() public {
        // OpenZeppelin's EnumerableSet.at panics with an array out-of-bounds access (0x32).
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", uint256(0x32)));
        nodeRegistry.activeAt(0);
    }
}
