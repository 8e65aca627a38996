// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AIJobManager} from "../../AIJobManager.sol";
import {ModelRegistry} from "../../ModelRegistry.sol";
import {NodeRegistry} from "../../NodeRegistry.sol";
import {ProofOfCompute} from "../../ProofOfCompute.sol";
import {MockToken} from "../../devnet/MockToken.sol";
import {IAIJobManager} from "../../interfaces/IAIJobManager.sol";
import {INodeRegistry} from "../../interfaces/INodeRegistry.sol";
import {JobRecords} from "./JobRecords.sol";
import {Test} from "./Test.sol";
import {Vm} from "./Vm.sol";

/// @title ArthaFixture
/// @notice Deploys the whole system wired exactly as ignition/modules/Artha.ts does (setProof, JOBS_ROLE to the
/// job manager and the proof contract, CERTIFIER_ROLE to a certifier), with short test windows, and offers one
/// helper per protocol step.
/// @dev Tests call the contracts only through these helpers (except where a raw call and its revert is the
/// point), so a change of a contract's signatures (e.g. claim taking the job record as calldata) changes this
/// file only. Every "action" helper makes exactly one external call to the system, preceded by `_arm()`: a test
/// that expects a revert calls `_expectRevertNext(err)` and then the helper; the helper may read state first
/// (view calls would otherwise consume a plain `vm.expectRevert`).
/// Job records (docs/contracts.md, "Job records"): the job manager stores only the hash of each job's record and
/// every call that acts on a job takes the current record. The fixture reads records the way a client does, from
/// the `job` field of the job events: each job action helper records its call's logs and refreshes a per-job cache
/// (`_rec`) from them, checking every new record with `isCurrent`; the helpers pass `_rec(jobId)` (the `...With`
/// variants take any record, for stale-record tests), and tests read a job's fields through `_job`, which checks
/// the cached record against the contract.
abstract contract ArthaFixture is Test {
    // ------------------------------------------------------------------ config

    /// @notice Everything a deployment takes.
    struct Config {
        uint96 minStake;
        uint40 unbondingDelay;
        uint64 challengeBond;
        uint32 disputeTimeout;
        AIJobManager.Params params;
        /// @dev Verification parameters besides `challengeBond` and `disputeTimeout` (those two are ignored here).
        ProofOfCompute.Params proof;
    }

    uint256 internal constant T0 = 1_700_000_000;
    uint256 internal constant BPS = 10_000;
    uint96 internal constant MIN_STAKE = 100e6;
    uint40 internal constant UNBONDING_DELAY = 3600;
    uint64 internal constant CHALLENGE_BOND = 10e6;
    uint32 internal constant DISPUTE_TIMEOUT = 1800;
    uint32 internal constant CLAIM_WINDOW = 60;
    uint32 internal constant CHALLENGE_WINDOW = 600;
    uint32 internal constant MIN_BID_WINDOW = 5;
    uint32 internal constant MAX_BID_WINDOW = 3600;
    uint32 internal constant MAX_RUNTIME_LIMIT = 86_400;
    uint16 internal constant BOND_BPS = 15_000;
    uint16 internal constant CANCEL_FEE_BPS = 1000;
    uint8 internal constant MAX_ATTEMPTS = 3;
    uint8 internal constant MAX_DEPENDENCIES = 8;
    uint64 internal constant ABSENT_PENALTY = 20e6;
    uint32 internal constant COMMIT_WINDOW = 600;
    uint32 internal constant REVEAL_WINDOW = 300;
    uint16 internal constant SLASH_VERIFIERS_BPS = 2000;
    uint16 internal constant SLASH_CHALLENGER_BPS = 2000;
    uint8 internal constant AUDIT_DELAY = 3;
    uint8 internal constant VERIFIERS = 3;
    uint8 internal constant MAX_ROUNDS = 2;

    uint96 internal constant DEFAULT_STAKE = 1000e6;
    uint96 internal constant DEFAULT_MAX_PRICE = 100e6;
    uint32 internal constant DEFAULT_BID_WINDOW = 30;
    uint32 internal constant DEFAULT_MAX_RUNTIME = 3600;

    uint8 internal constant TRAIN = 0;
    uint8 internal constant INFER = 1;
    uint8 internal constant AGENT = 2;

    bytes32 internal constant IMAGE_DIGEST = keccak256("sha256:artha-torch-cpu");
    bytes32 internal constant SPEC_HASH = keccak256("spec.json");
    bytes32 internal constant OUTPUT_ROOT = keccak256("output-root");
    bytes32 internal constant METRICS_HASH = keccak256("result.json");
    string internal constant SPEC_URI = "ipfs://bafyspec";
    string internal constant OUTPUT_URI = "ipfs://bafyout";

    // ------------------------------------------------------------------ system

    MockToken internal token;
    NodeRegistry internal nodeRegistry;
    ModelRegistry internal modelRegistry;
    AIJobManager internal jobManager;
    ProofOfCompute internal proofOfCompute;
    address internal seedSource;
    Config internal cfg;

    bytes32 internal jobsRole;
    bytes32 internal certifierRole;

    // ------------------------------------------------------------------ actors

    uint256 internal constant ALICE_PK = 0xA11CE;
    uint256 internal constant BOB_PK = 0xB0B;
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant BALLOT_TYPEHASH = keccak256("Ballot(uint64 jobId,uint8 round,bytes32 commitment)");
    uint256 internal constant NODE1_PK = 0x1001;
    uint256 internal constant NODE2_PK = 0x1002;
    uint256 internal constant NODE3_PK = 0x1003;

    address internal alice;
    address internal bob;
    address internal node1;
    address internal node2;
    address internal node3;
    address internal certifier = address(0xCE27);
    address internal stranger = address(0x5757);
    address internal modelOwner = address(0x30DE1);

    // ------------------------------------------------------------------ expected-revert arming

    bytes private _pendingRevert;
    bool private _revertPending;

    // ------------------------------------------------------------------ job records and logs

    mapping(address manager => mapping(uint64 jobId => IAIJobManager.Job)) private _records;
    /// @dev A signature asked of an account not made with `_keyed`.
    error NoKeyFor(address account);
    /// @dev Private keys of the accounts made with `_keyed`, for signatures.
    mapping(address account => uint256 privateKey) private _keys;
    Vm.Log[] private _captured;
    bool private _capturing;

    // =================================================================== setup

    function setUp() public virtual {
        vm.warp(T0);
        alice = _keyed(ALICE_PK);
        bob = _keyed(BOB_PK);
        node1 = _keyed(NODE1_PK);
        node2 = _keyed(NODE2_PK);
        node3 = _keyed(NODE3_PK);
        vm.label(alice, "alice");
        vm.label(bob, "bob");
        vm.label(node1, "node1");
        vm.label(node2, "node2");
        vm.label(node3, "node3");
        vm.label(certifier, "certifier");
        vm.label(stranger, "stranger");
        vm.label(modelOwner, "modelOwner");
        _deployArtha(_config());
    }

    /// @notice The deployment parameters; override for other windows.
    function _config() internal pure virtual returns (Config memory c) {
        c.minStake = MIN_STAKE;
        c.unbondingDelay = UNBONDING_DELAY;
        c.challengeBond = CHALLENGE_BOND;
        c.disputeTimeout = DISPUTE_TIMEOUT;
        c.params = _params(BOND_BPS);
        // No random audits and no verification budget unless a test asks: the job-life tests pay out unaudited.
        c.proof = ProofOfCompute.Params({
            challengeBond: CHALLENGE_BOND,
            absentPenalty: ABSENT_PENALTY,
            disputeTimeout: DISPUTE_TIMEOUT,
            commitWindow: COMMIT_WINDOW,
            revealWindow: REVEAL_WINDOW,
            auditBps: 0,
            slashVerifiersBps: SLASH_VERIFIERS_BPS,
            slashChallengerBps: SLASH_CHALLENGER_BPS,
            auditDelay: AUDIT_DELAY,
            verifiers: VERIFIERS,
            maxRounds: MAX_ROUNDS
        });
    }

    function _params(uint16 bondBps) internal pure returns (AIJobManager.Params memory p) {
        p = AIJobManager.Params({
            claimWindow: CLAIM_WINDOW,
            challengeWindow: CHALLENGE_WINDOW,
            minBidWindow: MIN_BID_WINDOW,
            maxBidWindow: MAX_BID_WINDOW,
            maxRuntimeLimit: MAX_RUNTIME_LIMIT,
            bondBps: bondBps,
            cancelFeeBps: CANCEL_FEE_BPS,
            verificationBudgetBps: 0,
            maxAttempts: MAX_ATTEMPTS,
            maxDependencies: MAX_DEPENDENCIES
        });
    }

    /// @notice Deploys and wires everything as ignition/modules/Artha.ts does; this contract is the deployer
    /// and admin (ignition's account 0), `certifier` gets CERTIFIER_ROLE.
    function _deployArtha(Config memory c) internal {
        cfg = c;
        token = MockToken(_deployArtifact("contracts/devnet/MockToken.sol:MockToken", ""));
        nodeRegistry = NodeRegistry(
            _deployArtifact(
                "contracts/NodeRegistry.sol:NodeRegistry",
                abi.encode(address(token), c.minStake, c.unbondingDelay, address(this))
            )
        );
        modelRegistry = ModelRegistry(_deployArtifact("contracts/ModelRegistry.sol:ModelRegistry", ""));
        jobManager = _newJobManager(c.params);
        c.proof.challengeBond = c.challengeBond;
        c.proof.disputeTimeout = c.disputeTimeout;
        cfg.proof = c.proof;
        proofOfCompute = ProofOfCompute(
            _deployArtifact(
                "contracts/ProofOfCompute.sol:ProofOfCompute",
                abi.encode(address(jobManager), address(token), address(nodeRegistry), seedSource, c.proof)
            )
        );
        jobManager.setProof(address(proofOfCompute));
        jobsRole = nodeRegistry.JOBS_ROLE();
        certifierRole = nodeRegistry.CERTIFIER_ROLE();
        nodeRegistry.grantRole(jobsRole, address(jobManager));
        nodeRegistry.grantRole(jobsRole, address(proofOfCompute));
        nodeRegistry.grantRole(certifierRole, certifier);
        vm.label(address(token), "token");
        vm.label(address(nodeRegistry), "nodeRegistry");
        vm.label(address(modelRegistry), "modelRegistry");
        vm.label(address(jobManager), "jobManager");
        vm.label(address(proofOfCompute), "proofOfCompute");
    }

    /// @notice A job manager on this fixture's token and registries with `p` (armed: may be expected to revert).
    function _newJobManager(AIJobManager.Params memory p) internal returns (AIJobManager) {
        return AIJobManager(
            _deployArtifact(
                "contracts/AIJobManager.sol:AIJobManager",
                abi.encode(address(token), address(nodeRegistry), address(modelRegistry), p)
            )
        );
    }

    /// @notice Deploys `artifact` (its creation code from the Hardhat artifacts) with ABI-encoded constructor
    /// `args` (armed: may be expected to revert).
    /// @dev Not `new X(...)`: with via-IR every test contract that uses `new X` embeds and re-optimizes X's whole
    /// object (measured: a cold compile of the suite ~3m37s with `new`, ~3m19s this way, on 2 cores). The price:
    /// the code comes from the artifacts, so run the whole suite (or `hardhat build`) after changing a contract;
    /// `hardhat test solidity <file>` alone does not refresh the contracts' artifacts and would test stale code.
    function _deployArtifact(string memory artifact, bytes memory args) internal returns (address addr) {
        bytes memory code = bytes.concat(vm.getCode(artifact), args);
        bool expectingRevert = _revertPending;
        _arm();
        assembly ("memory-safe") {
            addr := create(0, add(code, 0x20), mload(code))
        }
        if (addr == address(0) && !expectingRevert) {
            assembly ("memory-safe") {
                let p := mload(0x40)
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
        }
    }

    /// @notice `caller` calls `manager.setProof(proof_)` (armed).
    function _setProof(address caller, AIJobManager manager, address proof_) internal {
        _arm();
        vm.prank(caller);
        manager.setProof(proof_);
    }

    // =================================================================== revert arming

    /// @notice The next action helper's call must revert with exactly `err`.
    function _expectRevertNext(bytes memory err) internal {
        _pendingRevert = err;
        _revertPending = true;
    }

    /// @notice The next action helper's call must revert with exactly the custom error `selector` (no args).
    function _expectRevertNext(bytes4 selector) internal {
        _expectRevertNext(abi.encodeWithSelector(selector));
    }

    /// @dev Called by every action helper right before its one external call.
    /// @return expectingRevert Whether a revert was armed (the call's logs then change no record).
    function _arm() internal returns (bool expectingRevert) {
        if (_revertPending) {
            _revertPending = false;
            vm.expectRevert(_pendingRevert);
            return true;
        }
    }

    // =================================================================== job records

    /// @notice The record cache's view of `jobId`: the `job` of the last job event for it (the zero record for an
    /// unknown id). Action helpers pass it; tests read fields through `_job` (which also checks it).
    function _rec(uint64 jobId) internal view virtual returns (IAIJobManager.Job memory) {
        return _records[address(jobManager)][jobId];
    }

    /// @notice The current records of `jobId`'s dependencies, in `dependenciesOf` order (what `claim` takes).
    function _depRecs(uint64 jobId) internal view returns (IAIJobManager.Job[] memory recs) {
        uint64[] memory ids = jobManager.dependenciesOf(jobId);
        recs = new IAIJobManager.Job[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            recs[i] = _rec(ids[i]);
        }
    }

    /// @dev Before an action's call: keeps any logs not yet read for `_logs()`, then records the call's own.
    function _beginCapture() internal {
        _stash(vm.getRecordedLogs());
        vm.recordLogs();
    }

    /// @dev After an action's call: refreshes the record cache from its job events (none when it was expected to
    /// revert: a reverted call's logs may still be recorded) and checks each new record is current.
    function _endCapture(bool reverted) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        if (reverted) return;
        _stash(logs);
        _ingest(logs);
    }

    function _ingest(Vm.Log[] memory logs) internal {
        address manager = address(jobManager);
        for (uint256 i; i < logs.length; ++i) {
            (bool found, uint64 jobId, IAIJobManager.Job memory job) = JobRecords.decode(logs[i], manager);
            if (found) _records[manager][jobId] = job;
        }
        for (uint256 i; i < logs.length; ++i) {
            (bool found, uint64 jobId,) = JobRecords.decode(logs[i], manager);
            if (found && !jobManager.isCurrent(jobId, _records[manager][jobId])) {
                fail(string.concat("record cache: event record is not current for job ", vm.toString(uint256(jobId))));
            }
        }
    }

    function _stash(Vm.Log[] memory logs) private {
        if (!_capturing) return;
        for (uint256 i; i < logs.length; ++i) {
            _captured.push(logs[i]);
        }
    }

    // =================================================================== tokens

    function _mint(address to, uint256 amount) internal {
        token.mint(to, amount);
    }

    function _approve(address owner, address spender, uint256 amount) internal {
        vm.prank(owner);
        token.approve(spender, amount);
    }

    /// @notice Mints `amount` to `owner` and raises its allowance to `spender` by `amount`.
    function _fund(address owner, address spender, uint256 amount) internal {
        token.mint(owner, amount);
        uint256 allowance = token.allowance(owner, spender);
        vm.prank(owner);
        token.approve(spender, allowance + amount);
    }

    function _fundRequester(address requester, uint256 amount) internal {
        _fund(requester, address(jobManager), amount);
    }

    function _fundChallenger(address challenger) internal {
        _fund(challenger, address(proofOfCompute), cfg.challengeBond);
    }

    function _signPermit(uint256 ownerPk, address spender, uint256 value, uint256 permitDeadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        address owner = vm.addr(ownerPk);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                spender,
                value,
                token.nonces(owner),
                permitDeadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(ownerPk, digest);
    }

    // =================================================================== nodes

    function _caps(uint8 gpuCount, uint16 vramGb) internal pure returns (NodeRegistry.Capabilities memory) {
        return NodeRegistry.Capabilities({
            gpuCount: gpuCount,
            vramGbPerGpu: vramGb,
            cpuCores: 32,
            ramGb: 256,
            runtimeFlags: 3,
            gpuModel: "NVIDIA A100 80GB"
        });
    }

    function _registration(NodeRegistry.Capabilities memory caps)
        internal
        pure
        returns (NodeRegistry.Registration memory reg)
    {
        string[] memory addrs = new string[](2);
        addrs[0] = "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWNode";
        addrs[1] = "/ip4/127.0.0.1/udp/4001/quic-v1";
        reg = NodeRegistry.Registration({
            capabilities: caps,
            peerId: "12D3KooWNode",
            multiaddrs: addrs,
            apiUrl: "http://127.0.0.1:7070"
        });
    }

    function _req(uint8 gpuCount, uint16 minVramGb, uint8 minCertLevel)
        internal
        pure
        returns (INodeRegistry.Requirements memory)
    {
        return INodeRegistry.Requirements({gpuCount: gpuCount, minVramGb: minVramGb, minCertLevel: minCertLevel});
    }

    /// @notice `operator.register(reg, stake)` (armed; no funding).
    function _registerNodeRaw(address operator, NodeRegistry.Registration memory reg, uint256 stake) internal {
        _arm();
        vm.prank(operator);
        nodeRegistry.register(reg, stake);
    }

    /// @notice Funds `operator` with `stake`, approves the registry and registers it with the given GPUs.
    function _registerNode(address operator, uint8 gpuCount, uint16 vramGb, uint256 stake) internal {
        _fund(operator, address(nodeRegistry), stake);
        _registerNodeRaw(operator, _registration(_caps(gpuCount, vramGb)), stake);
    }

    /// @notice Registers `operator` with 8 GPUs of 80 GB and `DEFAULT_STAKE`.
    function _registerNode(address operator) internal {
        _registerNode(operator, 8, 80, DEFAULT_STAKE);
    }

    function _updateNode(address operator, NodeRegistry.Registration memory reg) internal {
        _arm();
        vm.prank(operator);
        nodeRegistry.update(reg);
    }

    /// @notice `operator.addStake(amount)` (armed; no funding).
    function _addStake(address operator, uint256 amount) internal {
        _arm();
        vm.prank(operator);
        nodeRegistry.addStake(amount);
    }

    function _fundAndAddStake(address operator, uint256 amount) internal {
        _fund(operator, address(nodeRegistry), amount);
        _addStake(operator, amount);
    }

    function _requestUnstake(address operator, uint256 amount) internal {
        _arm();
        vm.prank(operator);
        nodeRegistry.requestUnstake(amount);
    }

    function _withdrawStake(address operator) internal {
        _arm();
        vm.prank(operator);
        nodeRegistry.withdraw();
    }

    function _certifyAs(address caller, address operator, uint8 level, uint40 expiry) internal {
        _arm();
        vm.prank(caller);
        nodeRegistry.certify(operator, level, expiry);
    }

    function _certify(address operator, uint8 level, uint40 expiry) internal {
        _certifyAs(certifier, operator, level, expiry);
    }

    function _lockBond(address caller, address operator, uint256 amount, INodeRegistry.Requirements memory r)
        internal
    {
        _arm();
        vm.prank(caller);
        nodeRegistry.lockBond(operator, amount, r);
    }

    function _releaseBond(address caller, address operator, uint256 amount) internal {
        _arm();
        vm.prank(caller);
        nodeRegistry.releaseBond(operator, amount);
    }

    function _slashBond(address caller, address operator, uint256 amount, address to) internal {
        _arm();
        vm.prank(caller);
        nodeRegistry.slashBond(operator, amount, to);
    }

    function _node(address operator) internal view returns (NodeRegistry.Node memory) {
        return nodeRegistry.getNode(operator);
    }

    // =================================================================== datasets and models

    function _registerDatasetRaw(
        address owner,
        bytes32 contentHash,
        string memory uri,
        uint64 size,
        string memory license,
        uint32 policyFlags
    ) internal returns (uint32) {
        _arm();
        vm.prank(owner);
        return modelRegistry.registerDataset(contentHash, uri, size, license, policyFlags);
    }

    function _registerDataset(address owner) internal returns (uint32) {
        return _registerDatasetRaw(owner, keccak256("dataset"), "ipfs://bafydata", 1 << 20, "CC-BY-4.0", 1);
    }

    function _modelInput(uint32 parentId, uint32[] memory datasetIds)
        internal
        pure
        returns (ModelRegistry.ModelInput memory)
    {
        return ModelRegistry.ModelInput({
            contentHash: keccak256("model"),
            uri: "ipfs://bafymodel",
            name: "tiny-mlp",
            license: "Apache-2.0",
            parentId: parentId,
            datasetIds: datasetIds
        });
    }

    function _registerModelRaw(address owner, ModelRegistry.ModelInput memory input) internal returns (uint32) {
        _arm();
        vm.prank(owner);
        return modelRegistry.registerModel(input);
    }

    function _registerModel(address owner) internal returns (uint32) {
        return _registerModelRaw(owner, _modelInput(0, new uint32[](0)));
    }

    function _publish(address owner, uint32 modelId) internal {
        _arm();
        vm.prank(owner);
        modelRegistry.publish(modelId);
    }

    function _addCheckpoint(address owner, uint32 modelId, bytes32 contentHash, string memory uri, uint64 step)
        internal
        returns (uint32)
    {
        _arm();
        vm.prank(owner);
        return modelRegistry.addCheckpoint(modelId, contentHash, uri, step);
    }

    /// @notice Registers dataset 1 and model 1 (owned by `modelOwner`), which `_request` refers to.
    function _seedModels() internal {
        _registerDataset(modelOwner);
        _registerModel(modelOwner);
    }

    // =================================================================== jobs: requests

    /// @notice A valid request of `kind` for model 1 / dataset 1 (agents: none), needing 1 GPU of 24 GB.
    function _request(uint8 kind) internal pure returns (AIJobManager.JobRequest memory r) {
        r.kind = kind;
        r.modelId = kind == AGENT ? 0 : 1;
        r.datasetId = kind == TRAIN ? 1 : 0;
        r.imageDigest = IMAGE_DIGEST;
        r.specHash = SPEC_HASH;
        r.specUri = SPEC_URI;
        r.requirements = INodeRegistry.Requirements({gpuCount: 1, minVramGb: 24, minCertLevel: 0});
        r.maxPrice = DEFAULT_MAX_PRICE;
        r.bidWindow = DEFAULT_BID_WINDOW;
        r.maxRuntime = DEFAULT_MAX_RUNTIME;
        r.verification = 0;
        r.dependsOn = new uint64[](0);
    }

    function _request() internal pure returns (AIJobManager.JobRequest memory) {
        return _request(INFER);
    }

    function _dependsOn(uint64 a) internal pure returns (uint64[] memory d) {
        d = new uint64[](1);
        d[0] = a;
    }

    function _dependsOn(uint64 a, uint64 b) internal pure returns (uint64[] memory d) {
        d = new uint64[](2);
        d[0] = a;
        d[1] = b;
    }

    // =================================================================== jobs: actions

    /// @notice `requester.submitJob(req)` (armed; no funding).
    function _submit(address requester, AIJobManager.JobRequest memory req) internal returns (uint64 jobId) {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(requester);
        jobId = jobManager.submitJob(req);
        _endCapture(reverts);
    }

    /// @notice Funds `requester` with `req.maxPrice` (and the allowance) and submits.
    function _submitFunded(address requester, AIJobManager.JobRequest memory req) internal returns (uint64) {
        _fundRequester(requester, req.maxPrice);
        return _submit(requester, req);
    }

    function _submitWithPermit(
        address requester,
        AIJobManager.JobRequest memory req,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) internal returns (uint64 jobId) {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(requester);
        jobId = jobManager.submitJobWithPermit(req, permitDeadline, v, r, s);
        _endCapture(reverts);
    }

    /// @notice `node` claims `jobId` at `price` with the job's current record and its dependencies' records.
    function _claim(address node, uint64 jobId, uint96 price) internal {
        _claimWith(node, jobId, _rec(jobId), price, _depRecs(jobId));
    }

    /// @notice `node` claims `jobId` at `price` passing exactly `record` and `dependencies` (armed).
    function _claimWith(
        address node,
        uint64 jobId,
        IAIJobManager.Job memory record,
        uint96 price,
        IAIJobManager.Job[] memory dependencies
    ) internal {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(node);
        jobManager.claim(jobId, record, price, dependencies);
        _endCapture(reverts);
    }

    function _submitResultRaw(
        address node,
        uint64 jobId,
        bytes32 outputRoot,
        bytes32 metricsHash,
        string memory outputUri
    ) internal {
        _submitResultWith(node, jobId, _rec(jobId), outputRoot, metricsHash, outputUri);
    }

    /// @notice `node.submitResult` on the job manager passing exactly `record` (armed).
    function _submitResultWith(
        address node,
        uint64 jobId,
        IAIJobManager.Job memory record,
        bytes32 outputRoot,
        bytes32 metricsHash,
        string memory outputUri
    ) internal {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(node);
        jobManager.submitResult(jobId, record, outputRoot, metricsHash, outputUri);
        _endCapture(reverts);
    }

    function _submitResult(address node, uint64 jobId) internal {
        _submitResultRaw(node, jobId, OUTPUT_ROOT, METRICS_HASH, OUTPUT_URI);
    }

    function _finalizeAs(address caller, uint64 jobId) internal {
        _finalizeWith(caller, jobId, _rec(jobId));
    }

    /// @notice `caller.finalize(jobId, record)` (armed).
    function _finalizeWith(address caller, uint64 jobId, IAIJobManager.Job memory record) internal {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(caller);
        jobManager.finalize(jobId, record);
        _endCapture(reverts);
    }

    /// @notice Finalizes as `stranger` (anyone may).
    function _finalize(uint64 jobId) internal {
        _finalizeAs(stranger, jobId);
    }

    function _cancel(address caller, uint64 jobId) internal {
        _cancelWith(caller, jobId, _rec(jobId));
    }

    /// @notice `caller.cancel(jobId, record)` (armed).
    function _cancelWith(address caller, uint64 jobId, IAIJobManager.Job memory record) internal {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(caller);
        jobManager.cancel(jobId, record);
        _endCapture(reverts);
    }

    /// @notice Expires as `stranger` (anyone may).
    function _expire(uint64 jobId) internal {
        _expireWith(jobId, _rec(jobId));
    }

    /// @notice `stranger.expire(jobId, record)` (armed).
    function _expireWith(uint64 jobId, IAIJobManager.Job memory record) internal {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(stranger);
        jobManager.expire(jobId, record);
        _endCapture(reverts);
    }

    /// @notice `caller.challenge(jobId, record)` on the proof contract (armed; no funding).
    function _challenge(address caller, uint64 jobId) internal {
        _challengeWith(caller, jobId, _rec(jobId));
    }

    function _challengeWith(address caller, uint64 jobId, IAIJobManager.Job memory record) internal {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(caller);
        proofOfCompute.challenge(jobId, record);
        _endCapture(reverts);
    }

    function _fundAndChallenge(address caller, uint64 jobId) internal {
        _fundChallenger(caller);
        _challenge(caller, jobId);
    }

    /// @notice Applies the no-quorum fallback as `stranger` (anyone may).
    function _resolveUnverified(uint64 jobId) internal {
        _resolveUnverifiedWith(jobId, _rec(jobId));
    }

    function _resolveUnverifiedWith(uint64 jobId, IAIJobManager.Job memory record) internal {
        _beginCapture();
        bool reverts = _arm();
        vm.prank(stranger);
        proofOfCompute.resolveUnverified(jobId, record);
        _endCapture(reverts);
    }

    // =================================================================== verification

    /// @notice `caller.drawAudit(jobId, record)` (armed).
    function _drawAudit(address caller, uint64 jobId) internal {
        IAIJobManager.Job memory record = _rec(jobId);
        _beginCapture();
        bool reverts = _arm();
        vm.prank(caller);
        proofOfCompute.drawAudit(jobId, record);
        _endCapture(reverts);
    }

    /// @notice What a verifier commits: keccak256(abi.encode(jobId, verifier, result, agrees, salt)).
    function _commitment(uint64 jobId, address verifier, bytes32 result, bool agrees, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(jobId, verifier, result, agrees, salt));
    }

    /// @notice `verifier.commit(jobId, index, commitment of (result, agrees, salt))` (armed).
    function _commit(address verifier, uint64 jobId, uint256 index, bytes32 result, bool agrees, bytes32 salt)
        internal
    {
        bytes32 c = _commitment(jobId, verifier, result, agrees, salt);
        _arm();
        vm.prank(verifier);
        proofOfCompute.commit(jobId, index, c);
    }

    /// @notice `verifier.reveal(jobId, record, result, agrees, salt)` (armed).
    function _reveal(address verifier, uint64 jobId, bytes32 result, bool agrees, bytes32 salt) internal {
        IAIJobManager.Job memory record = _rec(jobId);
        _arm();
        vm.prank(verifier);
        proofOfCompute.reveal(jobId, record, result, agrees, salt);
    }

    /// @notice `stranger.resolve(jobId, record, majority)` (armed; anyone may).
    function _resolve(uint64 jobId, address[] memory majority) internal {
        IAIJobManager.Job memory record = _rec(jobId);
        _beginCapture();
        bool reverts = _arm();
        vm.prank(stranger);
        proofOfCompute.resolve(jobId, record, majority);
        _endCapture(reverts);
    }

    /// @notice The account of `privateKey`, remembered so `_signVote` can sign for it.
    function _keyed(uint256 privateKey) internal returns (address account) {
        account = vm.addr(privateKey);
        _keys[account] = privateKey;
    }

    /// @notice The EIP-712 digest a verifier signs for `resolveSigned`, built here from the standard (domain
    /// "ArthaAIN ProofOfCompute" version "1"), not from the contract's own code.
    function _ballotDigest(uint64 jobId, uint8 round, bytes32 commitment) internal view returns (bytes32) {
        bytes32 ballot = keccak256(abi.encode(BALLOT_TYPEHASH, jobId, round, commitment));
        return keccak256(abi.encodePacked("\x19\x01", _proofDomain(), ballot));
    }

    function _proofDomain() internal view returns (bytes32) {
        bytes32 name = keccak256("ArthaAIN ProofOfCompute");
        return keccak256(abi.encode(DOMAIN_TYPEHASH, name, keccak256("1"), block.chainid, address(proofOfCompute)));
    }

    /// @notice Signs `vote` (its reveal filled in) as `verifier`'s for round `round` of `jobId`: fills in its
    /// compact EIP-2098 signature.
    function _signVote(address verifier, uint64 jobId, uint8 round, ProofOfCompute.SignedVote memory vote)
        internal
        view
        returns (ProofOfCompute.SignedVote memory)
    {
        bytes32 c = _commitment(jobId, verifier, vote.result, vote.agrees, vote.salt);
        (vote.r, vote.vs) = _signCompact(verifier, _ballotDigest(jobId, round, c));
        return vote;
    }

    /// @notice `account`'s EIP-2098 compact signature of `digest`.
    function _signCompact(address account, bytes32 digest) internal view returns (bytes32 r, bytes32 vs) {
        uint256 pk = _keys[account];
        if (pk == 0) revert NoKeyFor(account);
        (uint8 v, bytes32 r_, bytes32 s) = vm.sign(pk, digest);
        return (r_, bytes32((uint256(v - 27) << 255) | uint256(s)));
    }

    /// @notice `stranger.resolveSigned(jobId, record, votes)` (armed; anyone may submit).
    function _resolveSigned(uint64 jobId, ProofOfCompute.SignedVote[] memory votes) internal {
        IAIJobManager.Job memory record = _rec(jobId);
        _beginCapture();
        bool reverts = _arm();
        vm.prank(stranger);
        proofOfCompute.resolveSigned(jobId, record, votes);
        _endCapture(reverts);
    }

    /// @notice `stranger.nextRound(jobId, record)` (armed).
    function _nextRound(uint64 jobId) internal {
        IAIJobManager.Job memory record = _rec(jobId);
        _arm();
        vm.prank(stranger);
        proofOfCompute.nextRound(jobId, record);
    }

    /// @notice `stranger.slashAbsent(jobId, record, verifier)` (armed).
    function _slashAbsent(uint64 jobId, address verifier) internal {
        IAIJobManager.Job memory record = _rec(jobId);
        _arm();
        vm.prank(stranger);
        proofOfCompute.slashAbsent(jobId, record, verifier);
    }

    /// @notice Makes the seed of the current round of `jobId`'s dispute available (rolls past its block and
    /// gives it `seed` as its hash) and fixes it.
    function _fixSeed(uint64 jobId, bytes32 seed) internal {
        (, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(jobId);
        if (draw.seed != 0) return;
        if (block.number <= draw.seedBlock) vm.roll(uint256(draw.seedBlock) + 1);
        vm.setBlockhash(draw.seedBlock, seed);
        vm.prank(stranger);
        proofOfCompute.drawVerifiers(jobId);
    }

    /// @notice The first `max` distinct verifiers the current round's draw names (never the worker or the
    /// challenger), with their draw indices.
    function _drawn(uint64 jobId, uint256 max)
        internal
        view
        returns (address[] memory who, uint256[] memory index)
    {
        uint256 limit = 2 * uint256(proofOfCompute.verifiers());
        who = new address[](max);
        index = new uint256[](max);
        uint256 n;
        for (uint256 i; i < limit && n < max; ++i) {
            address v = _mayVerifyAt(jobId, i);
            if (v == address(0) || _within(who, n, v)) continue;
            who[n] = v;
            index[n] = i;
            ++n;
        }
        assembly ("memory-safe") {
            mstore(who, n)
            mstore(index, n)
        }
    }

    /// @dev The verifier drawn at `index` of the current round, or zero if it is the worker, the challenger, or
    /// has voted.
    function _mayVerifyAt(uint64 jobId, uint256 index) private view returns (address v) {
        (ProofOfCompute.Dispute memory d, ProofOfCompute.Draw memory draw) = proofOfCompute.disputeOf(jobId);
        v = proofOfCompute.verifierAt(jobId, d.round, index);
        if (v == draw.worker || v == d.challenger) return address(0);
        if (proofOfCompute.voteOf(jobId, v).status != ProofOfCompute.VoteStatus.None) return address(0);
    }

    /// @dev Whether `v` is among the first `n` of `list`.
    function _within(address[] memory list, uint256 n, address v) internal pure returns (bool) {
        for (uint256 j; j < n; ++j) {
            if (list[j] == v) return true;
        }
        return false;
    }

    /// @notice `account.withdraw(to)` on the job manager (payouts and refunds).
    function _withdrawBalance(address account, address to) internal {
        _arm();
        vm.prank(account);
        jobManager.withdraw(to);
    }

    /// @notice `caller` invokes the manager's proof hook `onDisputed` directly (armed), `caller` as challenger.
    function _hookOnDisputed(address caller, uint64 jobId) internal {
        IAIJobManager.Job memory record = _rec(jobId);
        _beginCapture();
        bool reverts = _arm();
        vm.prank(caller);
        jobManager.onDisputed(jobId, record, caller);
        _endCapture(reverts);
    }

    /// @notice `caller` invokes the manager's proof hook `onDisputeUnresolved` directly (armed).
    function _hookOnDisputeUnresolved(address caller, uint64 jobId) internal {
        IAIJobManager.Job memory record = _rec(jobId);
        _beginCapture();
        bool reverts = _arm();
        vm.prank(caller);
        jobManager.onDisputeUnresolved(jobId, record);
        _endCapture(reverts);
    }

    // =================================================================== jobs: composite flows

    /// @notice A funded default infer job of `requester`, Open in its bid window.
    function _openJob(address requester) internal returns (uint64) {
        return _submitFunded(requester, _request());
    }

    /// @notice An Open job claimed by `node` at `price`, still inside its claim window.
    function _claimedJob(address requester, address node, uint96 price) internal returns (uint64 jobId) {
        jobId = _openJob(requester);
        _warpToClaimWindow(jobId);
        _claim(node, jobId, price);
    }

    /// @notice A job assigned to `node` at `price` (claim window closed).
    function _assignedJob(address requester, address node, uint96 price) internal returns (uint64 jobId) {
        jobId = _claimedJob(requester, node, price);
        _warpPastClaimEnd(jobId);
    }

    function _resultJob(address requester, address node, uint96 price) internal returns (uint64 jobId) {
        jobId = _assignedJob(requester, node, price);
        _submitResult(node, jobId);
    }

    function _finalizedJob(address requester, address node, uint96 price) internal returns (uint64 jobId) {
        jobId = _resultJob(requester, node, price);
        _warpPastChallengeWindow(jobId);
        _finalize(jobId);
    }

    function _disputedJob(address requester, address node, uint96 price) internal returns (uint64 jobId) {
        jobId = _resultJob(requester, node, price);
        _fundAndChallenge(requester, jobId);
    }

    function _cancelledJob(address requester) internal returns (uint64 jobId) {
        jobId = _openJob(requester);
        _cancel(requester, jobId);
    }

    /// @notice A job whose every auction closed without a claim: `Expired`, escrow refunded.
    function _expiredJob(address requester) internal returns (uint64 jobId) {
        jobId = _openJob(requester);
        for (uint256 i; i < jobManager.maxAttempts(); ++i) {
            _warpPastClaimEnd(jobId);
            _expire(jobId);
        }
    }

    /// @notice A disputed job that ended with the no-quorum fallback: `Failed`, requester refunded.
    function _failedJob(address requester, address node, uint96 price) internal returns (uint64 jobId) {
        jobId = _disputedJob(requester, node, price);
        _warpPastDisputeTimeout(jobId);
        _resolveUnverified(jobId);
    }

    /// @notice A job of `requester` in `state` (claimed ones by `node` at `price`).
    function _jobIn(IAIJobManager.JobState state, address requester, address node, uint96 price)
        internal
        returns (uint64)
    {
        if (state == IAIJobManager.JobState.Open) return _openJob(requester);
        if (state == IAIJobManager.JobState.Claimed) return _claimedJob(requester, node, price);
        if (state == IAIJobManager.JobState.ResultSubmitted) return _resultJob(requester, node, price);
        if (state == IAIJobManager.JobState.Disputed) return _disputedJob(requester, node, price);
        if (state == IAIJobManager.JobState.Finalized) return _finalizedJob(requester, node, price);
        if (state == IAIJobManager.JobState.Cancelled) return _cancelledJob(requester);
        if (state == IAIJobManager.JobState.Expired) return _expiredJob(requester);
        if (state == IAIJobManager.JobState.Failed) return _failedJob(requester, node, price);
        fail("_jobIn: no job can be in state None");
    }

    // =================================================================== time

    function _warpTo(uint256 t) internal {
        vm.warp(t);
    }

    function _warpBy(uint256 dt) internal {
        vm.warp(_now() + dt);
    }

    function _bidEnd(uint64 jobId) internal view returns (uint256) {
        return _job(jobId).bidEnd;
    }

    function _claimEnd(uint64 jobId) internal view returns (uint256) {
        return jobManager.claimEnd(_job(jobId));
    }

    function _deadline(uint64 jobId) internal view returns (uint256) {
        return jobManager.deadline(_job(jobId));
    }

    function _challengeEnds(uint64 jobId) internal view returns (uint256) {
        return uint256(_job(jobId).resultAt) + jobManager.challengeWindow();
    }

    function _disputeTimeoutAt(uint64 jobId) internal view returns (uint256) {
        return uint256(proofOfCompute.challengeOf(jobId).openedAt) + proofOfCompute.disputeTimeout();
    }

    /// @notice To the first second of the claim window (`bidEnd`).
    function _warpToClaimWindow(uint64 jobId) internal {
        vm.warp(_bidEnd(jobId));
    }

    /// @notice To `claimEnd`: the claim window is closed and the claimer (if any) assigned.
    function _warpPastClaimEnd(uint64 jobId) internal {
        vm.warp(_claimEnd(jobId));
    }

    /// @notice To the deadline itself (a result is still accepted).
    function _warpToDeadline(uint64 jobId) internal {
        vm.warp(_deadline(jobId));
    }

    /// @notice One second past the deadline (expirable).
    function _warpPastDeadline(uint64 jobId) internal {
        vm.warp(_deadline(jobId) + 1);
    }

    /// @notice To the end of the challenge window (finalizable, no longer challengeable).
    function _warpPastChallengeWindow(uint64 jobId) internal {
        vm.warp(_challengeEnds(jobId));
    }

    /// @notice To the dispute timeout (the no-quorum fallback applies).
    function _warpPastDisputeTimeout(uint64 jobId) internal {
        vm.warp(_disputeTimeoutAt(jobId));
    }

    // =================================================================== views

    /// @notice The job's current record, checked against the contract (`isCurrent`) for any submitted job: what
    /// tests read a job's fields from. (Makes external calls: not between `vm.expectRevert` and its call.)
    function _job(uint64 jobId) internal view returns (IAIJobManager.Job memory j) {
        j = _rec(jobId);
        if (jobId != 0 && jobId <= jobManager.jobCount()) {
            assertTrue(
                jobManager.isCurrent(jobId, j),
                string.concat("record cache: not the current record of job ", vm.toString(uint256(jobId)))
            );
        }
    }

    function _state(uint64 jobId) internal view returns (IAIJobManager.JobState) {
        return _job(jobId).state;
    }

    /// @notice What the old `isAssigned` view answered: `Claimed` and the claim window closed.
    function _isAssigned(uint64 jobId) internal view returns (bool) {
        IAIJobManager.Job memory j = _job(jobId);
        return j.state == IAIJobManager.JobState.Claimed && _now() >= jobManager.claimEnd(j);
    }

    function _assertState(uint64 jobId, IAIJobManager.JobState expected) internal view {
        assertEq(uint256(_state(jobId)), uint256(expected), "job state");
    }

    function _bond(uint256 price) internal view returns (uint256) {
        return price * jobManager.bondBps() / BPS;
    }

    function _cancelFee(uint256 price) internal view returns (uint256) {
        return price * jobManager.cancelFeeBps() / BPS;
    }

    // =================================================================== logs

    /// @notice Starts recording logs for `_logs()` (like `vm.recordLogs`; logs the job helpers consume to refresh
    /// the record cache are kept for it).
    function _recordLogs() internal {
        delete _captured;
        _capturing = true;
        vm.recordLogs();
    }

    /// @notice The logs emitted since `_recordLogs()` or the last `_logs()` (like `vm.getRecordedLogs`).
    function _logs() internal returns (Vm.Log[] memory logs) {
        _stash(vm.getRecordedLogs());
        logs = _captured;
        delete _captured;
    }

    /// @notice The only log of `emitter` with topic0 `sig` (fails when there is none or more than one).
    function _findLog(Vm.Log[] memory logs, address emitter, bytes32 sig) internal pure returns (Vm.Log memory) {
        uint256 found = type(uint256).max;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics.length != 0 && logs[i].topics[0] == sig) {
                if (found != type(uint256).max) fail("event emitted more than once");
                found = i;
            }
        }
        if (found == type(uint256).max) fail(string.concat("event not emitted: ", vm.toString(sig)));
        return logs[found];
    }

    function _countLogs(Vm.Log[] memory logs, address emitter, bytes32 sig) internal pure returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics.length != 0 && logs[i].topics[0] == sig) ++n;
        }
    }

    /// @notice Asserts a log's indexed topics (after topic0) and its data.
    function _assertLog(Vm.Log memory log, bytes32[] memory topics, bytes memory data) internal pure {
        assertEq(log.topics.length, topics.length + 1, "topic count");
        for (uint256 i; i < topics.length; ++i) {
            assertEq(log.topics[i + 1], topics[i], "indexed topic");
        }
        assertEq(log.data, data, "event data");
    }

    function _topics(bytes32 a) internal pure returns (bytes32[] memory t) {
        t = new bytes32[](1);
        t[0] = a;
    }

    function _topics(bytes32 a, bytes32 b) internal pure returns (bytes32[] memory t) {
        t = new bytes32[](2);
        t[0] = a;
        t[1] = b;
    }

    function _topics(bytes32 a, bytes32 b, bytes32 c) internal pure returns (bytes32[] memory t) {
        t = new bytes32[](3);
        t[0] = a;
        t[1] = b;
        t[2] = c;
    }

    function _t(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    function _t(uint256 a) internal pure returns (bytes32) {
        return bytes32(a);
    }
}
