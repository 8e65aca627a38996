// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {INodeRegistry} from "./interfaces/INodeRegistry.sol";

/// @title NodeRegistry
/// @notice GPU operators register here with stake, capabilities and their libp2p addresses (the chain is the
/// bootstrap list). Stake backs the bonds that jobs lock; unstaking waits an unbonding delay; a certifier sets
/// certification levels with an expiry; only the job contracts lock, release and slash bonds.
/// @dev Invariant: for every node, locked + unbonding <= stake. Slashing takes locked stake only.
contract NodeRegistry is AccessControl, INodeRegistry {
    using SafeERC20 for IERC20;
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Sets certification levels.
    bytes32 public constant CERTIFIER_ROLE = keccak256("CERTIFIER_ROLE");
    /// @notice Locks, releases and slashes bonds (the job manager and the proof contract).
    bytes32 public constant JOBS_ROLE = keccak256("JOBS_ROLE");

    /// @notice A node's hardware as its operator declares it (detected by the agent).
    struct Capabilities {
        uint8 gpuCount;
        uint16 vramGbPerGpu;
        uint16 cpuCores;
        uint16 ramGb;
        uint32 runtimeFlags;
        string gpuModel;
    }

    /// @notice Everything an operator declares at registration or update.
    struct Registration {
        Capabilities capabilities;
        string peerId;
        string[] multiaddrs;
        string apiUrl;
    }

    /// @notice A node's stake and certification, as stored (two slots).
    struct Node {
        uint96 stake;
        uint96 locked;
        uint40 unbondingEnds;
        uint8 certLevel;
        bool registered;
        uint96 unbonding;
        uint40 certExpiry;
        uint8 gpuCount;
        uint16 vramGbPerGpu;
        uint16 cpuCores;
        uint16 ramGb;
        uint32 runtimeFlags;
    }

    /// @notice A node's descriptive fields that no contract logic reads.
    struct NodeMeta {
        string gpuModel;
        string peerId;
        string[] multiaddrs;
        string apiUrl;
    }

    /// @notice The payment and stake token of this deployment.
    IERC20 public immutable token;
    /// @notice Stake (minus stake being unbonded) a node needs to be active.
    uint96 public immutable minStake;
    /// @notice Seconds between an unstake request and its withdrawal.
    uint40 public immutable unbondingDelay;

    mapping(address operator => Node) private _nodes;
    mapping(address operator => NodeMeta) private _meta;
    EnumerableSet.AddressSet private _active;

    /// @notice An operator registered.
    event NodeRegistered(
        address indexed operator,
        uint256 stake,
        Capabilities capabilities,
        string peerId,
        string[] multiaddrs,
        string apiUrl
    );
    /// @notice An operator changed its capabilities or addresses.
    event NodeUpdated(
        address indexed operator, Capabilities capabilities, string peerId, string[] multiaddrs, string apiUrl
    );
    /// @notice Stake was added; `stake` is the new total.
    event StakeAdded(address indexed operator, uint256 amount, uint256 stake);
    /// @notice An unstake was requested; `unbonding` is the total now unbonding, withdrawable at `unbondingEnds`.
    event UnstakeRequested(address indexed operator, uint256 amount, uint256 unbonding, uint256 unbondingEnds);
    /// @notice Unbonded stake was withdrawn; `stake` is the new total.
    event StakeWithdrawn(address indexed operator, uint256 amount, uint256 stake);
    /// @notice A certifier set `operator`'s level (0 revokes) valid until `expiry`.
    event CertificationSet(address indexed operator, uint8 level, uint256 expiry, address indexed certifier);
    /// @notice `amount` of `operator`'s bond went to `to`; `stake` is what remains.
    event Slashed(address indexed operator, uint256 amount, address indexed to, uint256 stake);
    /// @notice The node entered (true) or left (false) the active set.
    event ActiveChanged(address indexed operator, bool active);

    error ZeroAmount();
    error AlreadyRegistered(address operator);
    error NotRegistered(address operator);
    error StakeBelowMinimum(uint256 stake, uint256 minStake);
    error InsufficientFreeStake(address operator, uint256 free, uint256 needed);
    error NodeInactive(address operator);
    error CapabilitiesTooLow(address operator, uint8 gpuCount, uint16 vramGbPerGpu, Requirements required);
    error CertificationTooLow(address operator, uint8 level, uint256 expiry, uint8 required);
    error UnbondingNotOver(address operator, uint256 unbondingEnds, uint256 nowTs);
    error NothingToWithdraw(address operator);
    error EmptyPeerId();
    error CertExpiryInPast(uint256 expiry);
    error InsufficientLockedStake(address operator, uint256 locked, uint256 needed);
    error AmountTooLarge(uint256 amount);

    /// @param token_ Payment and stake token.
    /// @param minStake_ Minimum active stake, in token units.
    /// @param unbondingDelay_ Seconds an unstake waits before withdrawal.
    /// @param admin Receives the admin role (grants JOBS_ROLE and CERTIFIER_ROLE).
    constructor(IERC20 token_, uint96 minStake_, uint40 unbondingDelay_, address admin) {
        token = token_;
        minStake = minStake_;
        unbondingDelay = unbondingDelay_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Registers the caller as a node with `stakeAmount` of stake pulled from its balance.
    /// @param reg Capabilities, libp2p peer id, multiaddrs and API URL.
    /// @param stakeAmount Initial stake; at least `minStake`. Needs an allowance to this contract.
    function register(Registration calldata reg, uint256 stakeAmount) external {
        Node storage node = _nodes[msg.sender];
        if (node.registered) revert AlreadyRegistered(msg.sender);
        if (stakeAmount < minStake) revert StakeBelowMinimum(stakeAmount, minStake);
        if (bytes(reg.peerId).length == 0) revert EmptyPeerId();
        node.registered = true;
        node.stake = _toUint96(stakeAmount);
        _setRegistration(node, msg.sender, reg);
        token.safeTransferFrom(msg.sender, address(this), stakeAmount);
        _syncActive(msg.sender, node);
        emit NodeRegistered(msg.sender, stakeAmount, reg.capabilities, reg.peerId, reg.multiaddrs, reg.apiUrl);
    }

    /// @notice Replaces the caller's capabilities, peer id, multiaddrs and API URL.
    /// @param reg The new registration fields.
    function update(Registration calldata reg) external {
        Node storage node = _registered(msg.sender);
        if (bytes(reg.peerId).length == 0) revert EmptyPeerId();
        _setRegistration(node, msg.sender, reg);
        emit NodeUpdated(msg.sender, reg.capabilities, reg.peerId, reg.multiaddrs, reg.apiUrl);
    }

    /// @notice Adds `amount` to the caller's stake.
    /// @param amount Token amount pulled from the caller (needs an allowance).
    function addStake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Node storage node = _registered(msg.sender);
        uint256 stake = node.stake + amount;
        node.stake = _toUint96(stake);
        token.safeTransferFrom(msg.sender, address(this), amount);
        _syncActive(msg.sender, node);
        emit StakeAdded(msg.sender, amount, stake);
    }

    /// @notice Starts unbonding `amount` of free stake, withdrawable after the delay. Only locked bonds are
    /// slashable, and unbonding stake can no longer back new bonds.
    /// @dev A later request adds to the amount and restarts the delay.
    /// @param amount Free (unlocked, not yet unbonding) stake to unbond.
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Node storage node = _registered(msg.sender);
        uint256 free = uint256(node.stake) - node.locked - node.unbonding;
        if (amount > free) revert InsufficientFreeStake(msg.sender, free, amount);
        uint256 unbonding = node.unbonding + amount;
        uint256 ends = block.timestamp + unbondingDelay;
        node.unbonding = uint96(unbonding);
        node.unbondingEnds = uint40(ends);
        _syncActive(msg.sender, node);
        emit UnstakeRequested(msg.sender, amount, unbonding, ends);
    }

    /// @notice Withdraws all stake whose unbonding delay is over.
    function withdraw() external {
        Node storage node = _registered(msg.sender);
        uint256 amount = node.unbonding;
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        if (block.timestamp < node.unbondingEnds) {
            revert UnbondingNotOver(msg.sender, node.unbondingEnds, block.timestamp);
        }
        uint256 stake = node.stake - amount;
        node.stake = uint96(stake);
        node.unbonding = 0;
        node.unbondingEnds = 0;
        _syncActive(msg.sender, node);
        token.safeTransfer(msg.sender, amount);
        emit StakeWithdrawn(msg.sender, amount, stake);
    }

    /// @notice Sets `operator`'s certification level, valid until `expiry`; level 0 revokes.
    /// @param operator A registered node.
    /// @param level Certification level (higher is stronger); 0 revokes.
    /// @param expiry Unix time after which the level no longer counts; in the future unless revoking.
    function certify(address operator, uint8 level, uint40 expiry) external onlyRole(CERTIFIER_ROLE) {
        Node storage node = _registered(operator);
        if (level != 0 && expiry <= block.timestamp) revert CertExpiryInPast(expiry);
        node.certLevel = level;
        node.certExpiry = expiry;
        emit CertificationSet(operator, level, expiry, msg.sender);
    }

    /// @inheritdoc INodeRegistry
    function lockBond(address operator, uint256 amount, Requirements calldata req) external onlyRole(JOBS_ROLE) {
        Node storage node = _nodes[operator];
        if (!node.registered) revert NotRegistered(operator);
        uint256 stake = node.stake;
        uint256 unbonding = node.unbonding;
        if (stake - unbonding < minStake) revert NodeInactive(operator);
        if (node.gpuCount < req.gpuCount || (req.gpuCount != 0 && node.vramGbPerGpu < req.minVramGb)) {
            revert CapabilitiesTooLow(operator, node.gpuCount, node.vramGbPerGpu, req);
        }
        if (req.minCertLevel != 0 && (node.certLevel < req.minCertLevel || node.certExpiry <= block.timestamp)) {
            revert CertificationTooLow(operator, node.certLevel, node.certExpiry, req.minCertLevel);
        }
        uint256 locked = node.locked;
        uint256 free = stake - locked - unbonding;
        if (amount > free) revert InsufficientFreeStake(operator, free, amount);
        node.locked = uint96(locked + amount);
    }

    /// @inheritdoc INodeRegistry
    function releaseBond(address operator, uint256 amount) external onlyRole(JOBS_ROLE) {
        Node storage node = _nodes[operator];
        uint256 locked = node.locked;
        if (amount > locked) revert InsufficientLockedStake(operator, locked, amount);
        node.locked = uint96(locked - amount);
    }

    /// @inheritdoc INodeRegistry
    function slashBond(address operator, uint256 amount, address to) external onlyRole(JOBS_ROLE) {
        Node storage node = _nodes[operator];
        uint256 locked = node.locked;
        if (amount > locked) revert InsufficientLockedStake(operator, locked, amount);
        uint256 stake = node.stake - amount;
        node.locked = uint96(locked - amount);
        node.stake = uint96(stake);
        _syncActive(operator, node);
        if (amount != 0) token.safeTransfer(to, amount);
        emit Slashed(operator, amount, to, stake);
    }

    /// @inheritdoc INodeRegistry
    function slashStake(address operator, uint256 amount, address to)
        external
        onlyRole(JOBS_ROLE)
        returns (uint256 taken)
    {
        Node storage node = _nodes[operator];
        uint256 locked = node.locked;
        uint256 stake = node.stake;
        uint256 free = stake - locked;
        taken = amount < free ? amount : free;
        stake -= taken;
        node.stake = uint96(stake);
        // Unbonding stake is the first to go: what stays must still cover the locked bonds.
        if (node.unbonding > stake - locked) node.unbonding = uint96(stake - locked);
        _syncActive(operator, node);
        if (taken != 0) token.safeTransfer(to, taken);
        emit Slashed(operator, taken, to, stake);
    }

    /// @inheritdoc INodeRegistry
    function isActive(address operator) external view returns (bool) {
        return _active.contains(operator);
    }

    /// @inheritdoc INodeRegistry
    function activeCount() external view returns (uint256) {
        return _active.length();
    }

    /// @inheritdoc INodeRegistry
    /// @dev Order changes as nodes join and leave.
    function activeAt(uint256 index) external view returns (address) {
        return _active.at(index);
    }

    /// @notice `operator`'s stake, bonds, certification and capabilities.
    function getNode(address operator) external view returns (Node memory) {
        return _nodes[operator];
    }

    /// @notice `operator`'s GPU model, libp2p peer id, multiaddrs and API URL.
    function getNodeMeta(address operator) external view returns (NodeMeta memory) {
        return _meta[operator];
    }

    /// @notice Stake `operator` can still lock or unbond.
    function freeStake(address operator) external view returns (uint256) {
        Node storage node = _nodes[operator];
        return uint256(node.stake) - node.locked - node.unbonding;
    }

    function _setRegistration(Node storage node, address operator, Registration calldata reg) private {
        Capabilities calldata caps = reg.capabilities;
        node.gpuCount = caps.gpuCount;
        node.vramGbPerGpu = caps.vramGbPerGpu;
        node.cpuCores = caps.cpuCores;
        node.ramGb = caps.ramGb;
        node.runtimeFlags = caps.runtimeFlags;
        NodeMeta storage meta = _meta[operator];
        meta.gpuModel = caps.gpuModel;
        meta.peerId = reg.peerId;
        meta.multiaddrs = reg.multiaddrs;
        meta.apiUrl = reg.apiUrl;
    }

    function _syncActive(address operator, Node storage node) private {
        bool active = node.stake - node.unbonding >= minStake;
        if (active ? _active.add(operator) : _active.remove(operator)) emit ActiveChanged(operator, active);
    }

    function _registered(address operator) private view returns (Node storage node) {
        node = _nodes[operator];
        if (!node.registered) revert NotRegistered(operator);
    }

    function _toUint96(uint256 amount) private pure returns (uint96) {
        if (amount > type(uint96).max) revert AmountTooLarge(amount);
        return uint96(amount);
    }
}
