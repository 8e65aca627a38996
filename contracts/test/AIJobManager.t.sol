// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {AIJobManager} from "../AIJobManager.sol";
import {ModelRegistry} from "../ModelRegistry.sol";
import {NodeRegistry} from "../NodeRegistry.sol";
import {IAIJobManager} from "../interfaces/IAIJobManager.sol";
import {ArthaFixture} from "./utils/ArthaFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice Unit tests for AIJobManager: submit (approve and permit), the claim auction, dependencies (and their
/// records), result submission, cancel in every phase, finalize, expire (reopen, slash, exhaustion), job records
/// (stale and altered records refused by every action, `isCurrent`, `lastChangeBlock`), withdraw, the proof
/// hooks, views, and every custom error each function raises.
contract AIJobManagerTest is ArthaFixture {
    uint96 internal constant PRICE = 60e6;

    function setUp() public override {
        super.setUp();
        _seedModels();
        _registerNode(node1);
        _registerNode(node2);
        _registerNode(node3);
    }

    // ================================================================== deployment

    function testDeploymentParams() public view {
        assertEq(address(jobManager.token()), address(token), "token");
        assertEq(address(jobManager.nodes()), address(nodeRegistry), "nodes");
        assertEq(address(jobManager.models()), address(modelRegistry), "models");
        assertEq(jobManager.proof(), address(proofOfCompute), "proof");
        assertEq(jobManager.claimWindow(), CLAIM_WINDOW, "claimWindow");
        assertEq(jobManager.challengeWindow(), CHALLENGE_WINDOW, "challengeWindow");
        assertEq(jobManager.minBidWindow(), MIN_BID_WINDOW, "minBidWindow");
        assertEq(jobManager.maxBidWindow(), MAX_BID_WINDOW, "maxBidWindow");
        assertEq(jobManager.maxRuntimeLimit(), MAX_RUNTIME_LIMIT, "maxRuntimeLimit");
        assertEq(jobManager.bondBps(), BOND_BPS, "bondBps");
        assertEq(jobManager.cancelFeeBps(), CANCEL_FEE_BPS, "cancelFeeBps");
        assertEq(jobManager.maxAttempts(), MAX_ATTEMPTS, "maxAttempts");
        assertEq(jobManager.maxDependencies(), MAX_DEPENDENCIES, "maxDependencies");
        assertEq(jobManager.jobCount(), 0, "jobCount");
    }

    function testConstructorRevertsInvalidParams() public {
        AIJobManager.Params memory p = _params(BOND_BPS);
        p.claimWindow = 0;
        _expectRevertNext(AIJobManager.InvalidParams.selector);
        _newJobManager(p);

        p = _params(BOND_BPS);
        p.minBidWindow = 0;
        _expectRevertNext(AIJobManager.InvalidParams.selector);
        _newJobManager(p);

        p = _params(BOND_BPS);
        p.minBidWindow = p.maxBidWindow + 1;
        _expectRevertNext(AIJobManager.InvalidParams.selector);
        _newJobManager(p);

        p = _params(BOND_BPS);
        p.maxRuntimeLimit = 0;
        _expectRevertNext(AIJobManager.InvalidParams.selector);
        _newJobManager(p);

        p = _params(BOND_BPS);
        p.cancelFeeBps = 10_001;
        _expectRevertNext(AIJobManager.InvalidParams.selector);
        _newJobManager(p);

        p = _params(BOND_BPS);
        p.maxAttempts = 0;
        _expectRevertNext(AIJobManager.InvalidParams.selector);
        _newJobManager(p);
    }

    function testConstructorAcceptsEdgeParams() public {
        AIJobManager.Params memory p = _params(0);
        p.maxBidWindow = type(uint24).max;
        p.minBidWindow = type(uint24).max;
        p.cancelFeeBps = 10_000;
        p.maxAttempts = 1;
        p.maxDependencies = 0;
        p.challengeWindow = 0;
        AIJobManager m = _newJobManager(p);
        assertEq(m.maxBidWindow(), type(uint24).max, "maxBidWindow");
        assertEq(m.cancelFeeBps(), 10_000, "cancelFeeBps");
        assertEq(m.proof(), address(0), "proof unset");
    }

    function testConstructorRevertsBidWindowThatCouldWrap() public {
        AIJobManager.Params memory p = _params(BOND_BPS);
        p.maxBidWindow = uint32(type(uint24).max) + 1;
        _expectRevertNext(AIJobManager.InvalidParams.selector);
        _newJobManager(p);
    }

    // ================================================================== setProof

    function testSetProof() public {
        AIJobManager m = _newJobManager(_params(BOND_BPS));
        _recordLogs();
        _setProof(address(this), m, address(0xBEEF));
        _assertLog(_findLog(_logs(), address(m), AIJobManager.ProofSet.selector), new bytes32[](0), abi.encode(address(0xBEEF)));
        assertEq(m.proof(), address(0xBEEF), "proof");
    }

    function testSetProofRevertsOnlyDeployer() public {
        AIJobManager m = _newJobManager(_params(BOND_BPS));
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.OnlyDeployer.selector, stranger));
        _setProof(stranger, m, address(0xBEEF));
    }

    function testSetProofRevertsProofAlreadySet() public {
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ProofAlreadySet.selector, address(proofOfCompute)));
        _setProof(address(this), jobManager, address(0xBEEF));
    }

    function testSetProofRevertsZeroAddress() public {
        AIJobManager m = _newJobManager(_params(BOND_BPS));
        _expectRevertNext(AIJobManager.ZeroAddress.selector);
        _setProof(address(this), m, address(0));
    }

    // ================================================================== submitJob

    function testSubmitJob() public {
        AIJobManager.JobRequest memory req = _request(INFER);
        req.verification = 2;
        req.requirements = _req(2, 40, 1);
        _fundRequester(alice, req.maxPrice);
        uint256 t = _now();
        _recordLogs();
        uint64 id = _submit(alice, req);
        assertEq(id, 1, "id");
        assertEq(jobManager.jobCount(), 1, "jobCount");

        uint32 bidEnd = uint32(t + req.bidWindow);
        IAIJobManager.Job memory e = _firstRecord(alice, req, bidEnd);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobSubmitted.selector),
            _topics(_t(uint256(1)), _t(alice), _t(uint256(req.modelId))),
            abi.encode(req.imageDigest, req.specHash, req.specUri, req.dependsOn, e)
        );
        assertTrue(jobManager.isCurrent(id, e), "event record is current");
        assertEq(jobManager.claimEnd(e), uint256(bidEnd) + CLAIM_WINDOW, "claimEnd of event record");

        IAIJobManager.Job memory j = _job(id);
        assertEq(j.requester, alice, "requester");
        assertEq(j.maxPrice, req.maxPrice, "maxPrice");
        assertEq(uint256(j.state), uint256(IAIJobManager.JobState.Open), "state");
        assertEq(uint256(j.kind), uint256(IAIJobManager.JobKind.Infer), "kind");
        assertEq(j.verification, 2, "verification");
        assertEq(j.attempts, 0, "attempts");
        assertEq(j.gpuCount, 2, "gpuCount");
        assertEq(j.minCertLevel, 1, "minCertLevel");
        assertEq(j.minVramGb, 40, "minVramGb");
        assertEq(j.bidWindow, req.bidWindow, "bidWindow");
        assertEq(j.dependencyCount, 0, "dependencyCount");
        assertEq(j.bidEnd, bidEnd, "bidEnd");
        assertEq(j.maxRuntime, req.maxRuntime, "maxRuntime");
        assertEq(j.resultAt, 0, "resultAt");
        assertEq(j.modelId, 1, "modelId");
        assertEq(j.datasetId, 0, "datasetId");
        assertEq(j.claimer, address(0), "claimer");
        assertEq(j.price, 0, "price");
        assertEq(j.outputRoot, bytes32(0), "outputRoot");

        assertEq(token.balanceOf(address(jobManager)), req.maxPrice, "escrowed");
        assertEq(token.balanceOf(alice), 0, "requester paid");
        assertEq(jobManager.claimEnd(j), uint256(bidEnd) + CLAIM_WINDOW, "claimEnd view");
        assertEq(jobManager.deadline(j), uint256(bidEnd) + CLAIM_WINDOW + req.maxRuntime, "deadline view");
        assertFalse(_isAssigned(id), "not assigned");
        assertEq(jobManager.lastChangeBlock(id), vm.getBlockNumber(), "lastChangeBlock");
        assertEq(jobManager.dependenciesOf(id).length, 0, "no dependencies");
    }

    /// @notice A job's first record, built from its request as the contract documents it.
    function _firstRecord(address requester, AIJobManager.JobRequest memory req, uint32 bidEnd)
        internal
        pure
        returns (IAIJobManager.Job memory e)
    {
        e.requester = requester;
        e.maxPrice = req.maxPrice;
        e.state = IAIJobManager.JobState.Open;
        e.kind = IAIJobManager.JobKind(req.kind);
        e.verification = req.verification;
        e.gpuCount = req.requirements.gpuCount;
        e.minCertLevel = req.requirements.minCertLevel;
        e.minVramGb = req.requirements.minVramGb;
        e.dependencyCount = uint8(req.dependsOn.length);
        e.bidWindow = req.bidWindow;
        e.bidEnd = bidEnd;
        e.maxRuntime = req.maxRuntime;
        e.modelId = req.modelId;
        e.datasetId = req.datasetId;
    }

    function testSubmitJobEveryKind() public {
        uint64 train = _submitFunded(alice, _request(TRAIN));
        uint64 agent = _submitFunded(alice, _request(AGENT));
        AIJobManager.JobRequest memory inferWithData = _request(INFER);
        inferWithData.datasetId = 1;
        uint64 infer = _submitFunded(alice, inferWithData);
        assertEq(uint256(_job(train).kind), uint256(IAIJobManager.JobKind.Train), "train");
        assertEq(_job(train).datasetId, 1, "train dataset");
        assertEq(uint256(_job(agent).kind), uint256(IAIJobManager.JobKind.Agent), "agent");
        assertEq(_job(agent).modelId, 0, "agent without model");
        assertEq(_job(infer).datasetId, 1, "infer dataset");
        // An agent may still name a model and a dataset.
        AIJobManager.JobRequest memory agentFull = _request(AGENT);
        agentFull.modelId = 1;
        agentFull.datasetId = 1;
        uint64 a2 = _submitFunded(alice, agentFull);
        assertEq(_job(a2).modelId, 1, "agent model");
        assertEq(token.balanceOf(address(jobManager)), 4 * uint256(DEFAULT_MAX_PRICE), "four escrows");
    }

    function testSubmitJobWithDependencies() public {
        uint64 a = _openJob(alice);
        uint64 b = _openJob(bob);
        AIJobManager.JobRequest memory req = _request();
        req.dependsOn = _dependsOn(a, b);
        _fundRequester(alice, req.maxPrice);
        _recordLogs();
        uint64 c = _submit(alice, req);
        Vm.Log memory log = _findLog(_logs(), address(jobManager), AIJobManager.JobSubmitted.selector);
        (,,, uint64[] memory deps, IAIJobManager.Job memory record) =
            abi.decode(log.data, (bytes32, bytes32, string, uint64[], IAIJobManager.Job));
        assertEq(record.dependencyCount, 2, "event record dependencyCount");
        assertEq(deps.length, 2, "event deps");
        assertEq(deps[0], a, "event dep 0");
        assertEq(deps[1], b, "event dep 1");
        uint64[] memory stored = jobManager.dependenciesOf(c);
        assertEq(stored.length, 2, "stored deps");
        assertEq(stored[0], a, "stored dep 0");
        assertEq(stored[1], b, "stored dep 1");
        assertEq(_job(c).dependencyCount, 2, "dependencyCount");
    }

    function testSubmitJobMaxDependencies() public {
        uint64 a = _openJob(alice);
        AIJobManager.JobRequest memory req = _request();
        req.dependsOn = new uint64[](MAX_DEPENDENCIES);
        for (uint256 i; i < MAX_DEPENDENCIES; ++i) {
            req.dependsOn[i] = a;
        }
        uint64 c = _submitFunded(alice, req);
        assertEq(_job(c).dependencyCount, MAX_DEPENDENCIES, "max deps");
    }

    function testSubmitJobWindowBoundsAccepted() public {
        AIJobManager.JobRequest memory req = _request();
        req.bidWindow = MIN_BID_WINDOW;
        req.maxRuntime = 1;
        uint64 a = _submitFunded(alice, req);
        req.bidWindow = MAX_BID_WINDOW;
        req.maxRuntime = MAX_RUNTIME_LIMIT;
        uint64 b = _submitFunded(alice, req);
        assertEq(_job(a).bidWindow, MIN_BID_WINDOW, "min bid window");
        assertEq(_job(b).bidWindow, MAX_BID_WINDOW, "max bid window");
        assertEq(_job(b).maxRuntime, MAX_RUNTIME_LIMIT, "max runtime");
    }

    function testSubmitJobRevertsInvalidKind() public {
        AIJobManager.JobRequest memory req = _request();
        req.kind = 3;
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.InvalidJobKind.selector, uint8(3)));
        _submit(alice, req);
        req.kind = 255;
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.InvalidJobKind.selector, uint8(255)));
        _submit(alice, req);
    }

    function testSubmitJobRevertsZeroMaxPrice() public {
        AIJobManager.JobRequest memory req = _request();
        req.maxPrice = 0;
        _expectRevertNext(AIJobManager.ZeroMaxPrice.selector);
        _submit(alice, req);
    }

    function testSubmitJobRevertsZeroImageDigest() public {
        AIJobManager.JobRequest memory req = _request();
        req.imageDigest = bytes32(0);
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(AIJobManager.ZeroImageDigest.selector);
        _submit(alice, req);
    }

    function testSubmitJobRevertsZeroSpecHash() public {
        AIJobManager.JobRequest memory req = _request();
        req.specHash = bytes32(0);
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(AIJobManager.ZeroSpecHash.selector);
        _submit(alice, req);
    }

    function testSubmitJobRevertsEmptySpecUri() public {
        AIJobManager.JobRequest memory req = _request();
        req.specUri = "";
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(AIJobManager.EmptySpecUri.selector);
        _submit(alice, req);
    }

    function testSubmitJobRevertsModelRequired() public {
        AIJobManager.JobRequest memory req = _request(TRAIN);
        req.modelId = 0;
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ModelRequired.selector, IAIJobManager.JobKind.Train));
        _submit(alice, req);
        req = _request(INFER);
        req.modelId = 0;
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ModelRequired.selector, IAIJobManager.JobKind.Infer));
        _submit(alice, req);
    }

    function testSubmitJobRevertsDatasetRequired() public {
        AIJobManager.JobRequest memory req = _request(TRAIN);
        req.datasetId = 0;
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.DatasetRequired.selector, IAIJobManager.JobKind.Train));
        _submit(alice, req);
    }

    function testSubmitJobRevertsBidWindowOutOfRange() public {
        AIJobManager.JobRequest memory req = _request();
        _fundRequester(alice, req.maxPrice);
        req.bidWindow = MIN_BID_WINDOW - 1;
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.BidWindowOutOfRange.selector, MIN_BID_WINDOW - 1, MIN_BID_WINDOW, MAX_BID_WINDOW
            )
        );
        _submit(alice, req);
        req.bidWindow = MAX_BID_WINDOW + 1;
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.BidWindowOutOfRange.selector, MAX_BID_WINDOW + 1, MIN_BID_WINDOW, MAX_BID_WINDOW
            )
        );
        _submit(alice, req);
        req.bidWindow = 0;
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.BidWindowOutOfRange.selector, 0, MIN_BID_WINDOW, MAX_BID_WINDOW)
        );
        _submit(alice, req);
    }

    function testSubmitJobRevertsMaxRuntimeOutOfRange() public {
        AIJobManager.JobRequest memory req = _request();
        _fundRequester(alice, req.maxPrice);
        req.maxRuntime = 0;
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.MaxRuntimeOutOfRange.selector, uint32(0), MAX_RUNTIME_LIMIT)
        );
        _submit(alice, req);
        req.maxRuntime = MAX_RUNTIME_LIMIT + 1;
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.MaxRuntimeOutOfRange.selector, MAX_RUNTIME_LIMIT + 1, MAX_RUNTIME_LIMIT)
        );
        _submit(alice, req);
    }

    function testSubmitJobRevertsUnknownModel() public {
        AIJobManager.JobRequest memory req = _request(INFER);
        req.modelId = 2;
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(2)));
        _submit(alice, req);
    }

    function testSubmitJobRevertsUnknownDataset() public {
        AIJobManager.JobRequest memory req = _request(TRAIN);
        req.datasetId = 9;
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownDataset.selector, uint32(9)));
        _submit(alice, req);
        // An agent job naming only an unknown dataset is checked too.
        req = _request(AGENT);
        req.datasetId = 2;
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownDataset.selector, uint32(2)));
        _submit(alice, req);
    }

    function testSubmitJobRevertsTooManyDependencies() public {
        AIJobManager.JobRequest memory req = _request();
        req.dependsOn = new uint64[](MAX_DEPENDENCIES + 1);
        _fundRequester(alice, req.maxPrice);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.TooManyDependencies.selector, uint256(MAX_DEPENDENCIES) + 1, uint256(MAX_DEPENDENCIES)
            )
        );
        _submit(alice, req);
    }

    function testSubmitJobRevertsUnknownDependency() public {
        uint64 a = _openJob(alice);
        AIJobManager.JobRequest memory req = _request();
        _fundRequester(alice, req.maxPrice);
        req.dependsOn = _dependsOn(a, 0);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownDependency.selector, uint64(0)));
        _submit(alice, req);
        // The job's own id (a job cannot wait for itself) and any later id.
        req.dependsOn = _dependsOn(a + 1);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownDependency.selector, a + 1));
        _submit(alice, req);
        req.dependsOn = _dependsOn(a + 7);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownDependency.selector, a + 7));
        _submit(alice, req);
    }

    function testSubmitJobRevertsInsufficientAllowance() public {
        AIJobManager.JobRequest memory req = _request();
        _mint(alice, req.maxPrice);
        _approve(alice, address(jobManager), req.maxPrice - 1);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(jobManager),
                uint256(req.maxPrice) - 1,
                uint256(req.maxPrice)
            )
        );
        _submit(alice, req);
    }

    function testSubmitJobRevertsInsufficientBalance() public {
        AIJobManager.JobRequest memory req = _request();
        _mint(alice, req.maxPrice - 1);
        _approve(alice, address(jobManager), req.maxPrice);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, alice, uint256(req.maxPrice) - 1, uint256(req.maxPrice)
            )
        );
        _submit(alice, req);
    }

    // ================================================================== submitJobWithPermit

    function testSubmitJobWithPermit() public {
        AIJobManager.JobRequest memory req = _request();
        _mint(alice, req.maxPrice);
        uint256 permitDeadline = _now() + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(ALICE_PK, address(jobManager), req.maxPrice, permitDeadline);
        uint64 id = _submitWithPermit(alice, req, permitDeadline, v, r, s);
        assertEq(id, 1, "id");
        assertEq(token.nonces(alice), 1, "permit used");
        assertEq(token.allowance(alice, address(jobManager)), 0, "allowance spent");
        assertEq(token.balanceOf(address(jobManager)), req.maxPrice, "escrowed");
        assertEq(_job(id).requester, alice, "requester");
    }

    function testSubmitJobWithPermitFrontRunStillSubmits() public {
        AIJobManager.JobRequest memory req = _request();
        _mint(alice, req.maxPrice);
        uint256 permitDeadline = _now() + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(ALICE_PK, address(jobManager), req.maxPrice, permitDeadline);
        // Someone front-runs the permit itself: the nonce is used, the allowance is set.
        vm.prank(stranger);
        token.permit(alice, address(jobManager), req.maxPrice, permitDeadline, v, r, s);
        uint64 id = _submitWithPermit(alice, req, permitDeadline, v, r, s);
        assertEq(_job(id).requester, alice, "submitted despite failed permit");
    }

    function testSubmitJobWithPermitRevertsWithoutAllowance() public {
        AIJobManager.JobRequest memory req = _request();
        _mint(alice, req.maxPrice);
        uint256 permitDeadline = _now() + 1 hours;
        // Signed by bob for alice: the permit fails and nothing else approves the escrow.
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(BOB_PK, address(jobManager), req.maxPrice, permitDeadline);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(jobManager), 0, uint256(req.maxPrice)
            )
        );
        _submitWithPermit(alice, req, permitDeadline, v, r, s);
    }

    function testSubmitJobWithPermitRevertsExpiredPermit() public {
        AIJobManager.JobRequest memory req = _request();
        _mint(alice, req.maxPrice);
        uint256 permitDeadline = _now() - 1;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(ALICE_PK, address(jobManager), req.maxPrice, permitDeadline);
        _expectRevertNext(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(jobManager), 0, uint256(req.maxPrice)
            )
        );
        _submitWithPermit(alice, req, permitDeadline, v, r, s);
    }

    function testSubmitJobWithPermitValidatesRequest() public {
        AIJobManager.JobRequest memory req = _request();
        req.kind = 3;
        _mint(alice, req.maxPrice);
        uint256 permitDeadline = _now() + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(ALICE_PK, address(jobManager), req.maxPrice, permitDeadline);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.InvalidJobKind.selector, uint8(3)));
        _submitWithPermit(alice, req, permitDeadline, v, r, s);
    }

    // ================================================================== claim

    function testClaim() public {
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        uint256 claimEnd = _claimEnd(id);
        IAIJobManager.Job memory e = _job(id); // the pre-claim record, with the claim applied below
        assertEq(e.price, 0, "no previous price");
        e.state = IAIJobManager.JobState.Claimed;
        e.claimer = node1;
        e.price = PRICE;
        _recordLogs();
        _claim(node1, id, PRICE);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobClaimed.selector),
            _topics(_t(uint256(id)), _t(node1), _t(address(0))),
            abi.encode(e)
        );
        assertEq(jobManager.claimEnd(e), claimEnd, "claimEnd");
        assertEq(jobManager.deadline(e), claimEnd + DEFAULT_MAX_RUNTIME, "deadline");
        IAIJobManager.Job memory j = _job(id);
        assertEq(keccak256(abi.encode(j)), keccak256(abi.encode(e)), "record");
        assertEq(uint256(j.state), uint256(IAIJobManager.JobState.Claimed), "state");
        assertEq(j.claimer, node1, "claimer");
        assertEq(j.price, PRICE, "price");
        assertEq(_node(node1).locked, _bond(PRICE), "bond locked");
        assertEq(_bond(PRICE), 90e6, "bond = 1.5 x price");
        assertFalse(_isAssigned(id), "not yet assigned");
        _warpTo(claimEnd - 1);
        assertFalse(_isAssigned(id), "not assigned before claimEnd");
        _warpTo(claimEnd);
        assertTrue(_isAssigned(id), "assigned at claimEnd");
    }

    function testClaimAtWindowEdgesAndMaxPrice() public {
        uint64 a = _openJob(alice);
        uint64 b = _openJob(alice);
        _warpTo(_claimEnd(a) - 1);
        _claim(node1, a, DEFAULT_MAX_PRICE);
        assertEq(_job(a).price, DEFAULT_MAX_PRICE, "max price accepted");
        _claim(node2, b, 1);
        assertEq(_job(b).price, 1, "1 unit accepted");
    }

    function testAuctionWithThreeClaimers() public {
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        uint256 claimEnd = _claimEnd(id);
        uint256 deadline = claimEnd + DEFAULT_MAX_RUNTIME;

        _claim(node1, id, 90e6);
        assertEq(_node(node1).locked, _bond(90e6), "node1 bond");

        _warpBy(10);
        _outbidAndCheck(id, node2, node1, 80e6, 90e6, claimEnd, deadline);
        _warpBy(10);
        _outbidAndCheck(id, node3, node2, 70e6, 80e6, claimEnd, deadline);

        // Equal and higher claims do not replace.
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimNotLower.selector, id, uint256(70e6), uint256(70e6)));
        _claim(node1, id, 70e6);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimNotLower.selector, id, uint256(75e6), uint256(70e6)));
        _claim(node2, id, 75e6);

        // The window closes: the lowest claimer is assigned.
        _warpTo(claimEnd);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimWindowClosed.selector, id, claimEnd, claimEnd));
        _claim(node1, id, 10e6);
        assertTrue(_isAssigned(id), "assigned");
        assertEq(_job(id).claimer, node3, "lowest wins");
        assertEq(_job(id).price, 70e6, "at its price");

        // Only the assigned node submits; it is paid its own price.
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NotAssignedNode.selector, id, node2, node3));
        _submitResult(node2, id);
        _submitResult(node3, id);
        _warpPastChallengeWindow(id);
        _finalize(id);
        assertEq(jobManager.balanceOf(node3), 70e6, "node3 paid");
        assertEq(jobManager.balanceOf(node1), 0, "node1 nothing");
        assertEq(jobManager.balanceOf(node2), 0, "node2 nothing");
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE - 70e6, "refund");
        assertEq(_node(node3).locked, 0, "bond released");
    }

    /// @notice `node` outbids `previous` (at `previousPrice`) with `price`: the JobClaimed event carries the
    /// previous record with the new claimer and price, the windows are unchanged, the bonds move.
    function _outbidAndCheck(
        uint64 id,
        address node,
        address previous,
        uint96 price,
        uint96 previousPrice,
        uint256 claimEnd,
        uint256 deadline
    ) internal {
        IAIJobManager.Job memory e = _job(id);
        assertEq(e.price, previousPrice, "previous price");
        assertEq(e.claimer, previous, "previous claimer");
        e.claimer = node;
        e.price = price;
        _recordLogs();
        _claim(node, id, price);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobClaimed.selector),
            _topics(_t(uint256(id)), _t(node), _t(previous)),
            abi.encode(e)
        );
        assertEq(jobManager.claimEnd(e), claimEnd, "claimEnd unchanged");
        assertEq(jobManager.deadline(e), deadline, "deadline unchanged");
        assertEq(_node(previous).locked, 0, "previous bond released");
        assertEq(_node(node).locked, _bond(price), "new bond");
    }

    function testClaimSameNodeLowersItsOwnClaim() public {
        uint64 id = _claimedJob(alice, node1, 90e6);
        _claim(node1, id, 50e6);
        assertEq(_job(id).price, 50e6, "lowered");
        assertEq(_node(node1).locked, _bond(50e6), "bond re-locked at lower price");
    }

    function testClaimReopenedJob() public {
        uint64 id = _openJob(alice);
        _warpPastClaimEnd(id);
        _expire(id);
        _warpToClaimWindow(id);
        _claim(node2, id, PRICE);
        assertEq(_job(id).claimer, node2, "claimed after reopening");
    }

    function testClaimRevertsUnknownJob() public {
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(1)));
        _claim(node1, 1, PRICE);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(0)));
        _claim(node1, 0, PRICE);
    }

    function testClaimRevertsJobNotClaimable() public {
        IAIJobManager.JobState[6] memory states = [
            IAIJobManager.JobState.ResultSubmitted,
            IAIJobManager.JobState.Disputed,
            IAIJobManager.JobState.Finalized,
            IAIJobManager.JobState.Cancelled,
            IAIJobManager.JobState.Expired,
            IAIJobManager.JobState.Failed
        ];
        for (uint256 i; i < states.length; ++i) {
            uint64 id = _jobIn(states[i], alice, node1, PRICE);
            _expectRevertNext(abi.encodeWithSelector(AIJobManager.JobNotClaimable.selector, id, states[i]));
            _claim(node2, id, 1);
        }
    }

    function testClaimRevertsClaimWindowNotOpen() public {
        uint64 id = _openJob(alice);
        uint256 bidEnd = _bidEnd(id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimWindowNotOpen.selector, id, bidEnd, _now()));
        _claim(node1, id, PRICE);
        _warpTo(bidEnd - 1);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimWindowNotOpen.selector, id, bidEnd, bidEnd - 1));
        _claim(node1, id, PRICE);
    }

    function testClaimRevertsClaimWindowClosed() public {
        uint64 id = _openJob(alice);
        uint256 claimEnd = _claimEnd(id);
        _warpTo(claimEnd);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimWindowClosed.selector, id, claimEnd, claimEnd));
        _claim(node1, id, PRICE);
        _warpTo(claimEnd + 1000);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.ClaimWindowClosed.selector, id, claimEnd, claimEnd + 1000)
        );
        _claim(node1, id, PRICE);
    }

    function testClaimRevertsZeroPrice() public {
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        _expectRevertNext(AIJobManager.ZeroPrice.selector);
        _claim(node1, id, 0);
    }

    function testClaimRevertsPriceAboveMax() public {
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.PriceAboveMax.selector, id, uint256(DEFAULT_MAX_PRICE) + 1, uint256(DEFAULT_MAX_PRICE)
            )
        );
        _claim(node1, id, DEFAULT_MAX_PRICE + 1);
    }

    function testClaimRevertsNotRegistered() public {
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NotRegistered.selector, stranger));
        _claim(stranger, id, PRICE);
    }

    function testClaimRevertsNodeInactive() public {
        _requestUnstake(node1, DEFAULT_STAKE - MIN_STAKE + 1);
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        _expectRevertNext(abi.encodeWithSelector(NodeRegistry.NodeInactive.selector, node1));
        _claim(node1, id, PRICE);
    }

    function testClaimRevertsCapabilitiesTooLow() public {
        AIJobManager.JobRequest memory req = _request();
        req.requirements = _req(16, 24, 0);
        uint64 id = _submitFunded(alice, req);
        _warpToClaimWindow(id);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.CapabilitiesTooLow.selector, node1, uint8(8), uint16(80), req.requirements)
        );
        _claim(node1, id, PRICE);

        req.requirements = _req(1, 96, 0);
        id = _submitFunded(alice, req);
        _warpToClaimWindow(id);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.CapabilitiesTooLow.selector, node1, uint8(8), uint16(80), req.requirements)
        );
        _claim(node1, id, PRICE);
    }

    function testClaimRevertsCertificationTooLow() public {
        uint40 expiry = uint40(_now() + 1 days);
        _certify(node1, 1, expiry);
        AIJobManager.JobRequest memory req = _request();
        req.requirements = _req(1, 24, 2);
        uint64 id = _submitFunded(alice, req);
        _warpToClaimWindow(id);
        _expectRevertNext(
            abi.encodeWithSelector(
                NodeRegistry.CertificationTooLow.selector, node1, uint8(1), uint256(expiry), uint8(2)
            )
        );
        _claim(node1, id, PRICE);
        _certify(node1, 2, expiry);
        _claim(node1, id, PRICE);
    }

    function testClaimRevertsCertificationExpired() public {
        uint40 expiry = uint40(_now() + 100);
        _certify(node1, 3, expiry);
        AIJobManager.JobRequest memory req = _request();
        req.requirements = _req(1, 24, 1);
        req.bidWindow = 200;
        uint64 id = _submitFunded(alice, req);
        _warpToClaimWindow(id);
        _expectRevertNext(
            abi.encodeWithSelector(
                NodeRegistry.CertificationTooLow.selector, node1, uint8(3), uint256(expiry), uint8(1)
            )
        );
        _claim(node1, id, PRICE);
    }

    function testClaimRevertsInsufficientFreeStake() public {
        address poor = address(0xB00B);
        _registerNode(poor, 8, 80, MIN_STAKE);
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        // bond(100e6) = 150e6 > 100e6 of stake
        _expectRevertNext(
            abi.encodeWithSelector(
                NodeRegistry.InsufficientFreeStake.selector, poor, uint256(MIN_STAKE), _bond(DEFAULT_MAX_PRICE)
            )
        );
        _claim(poor, id, DEFAULT_MAX_PRICE);
        // A cheaper claim fits.
        _claim(poor, id, 50e6);
        assertEq(_node(poor).locked, 75e6, "bond");
    }

    function testClaimReplacementRevertsKeepsPreviousClaim() public {
        address poor = address(0xB00B);
        _registerNode(poor, 8, 80, MIN_STAKE);
        uint64 id = _claimedJob(alice, node1, 90e6);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientFreeStake.selector, poor, uint256(MIN_STAKE), _bond(80e6))
        );
        _claim(poor, id, 80e6);
        assertEq(_job(id).claimer, node1, "previous claimer kept");
        assertEq(_node(node1).locked, _bond(90e6), "previous bond kept");
    }

    /// @notice Regression (formerly Bugs.t.sol): the bond is computed in uint256, so the bond of a huge price fails
    /// the registry's free-stake check instead of wrapping mod 2^96. At price (2^97 + 1) / 3 the true bond is
    /// exactly 2^96, which a uint96 bond truncated to 0: a node holding only the minimum stake could claim a job
    /// escrowing ~5.28e22 tokens while locking nothing, and missing its deadline would cost it nothing.
    function testClaimHugePriceFailsFreeStakeInsteadOfWrappingBond() public {
        uint96 price = uint96(((uint256(1) << 97) + 1) / 3);
        uint256 fullBond = uint256(price) * BOND_BPS / BPS;
        assertEq(fullBond, uint256(1) << 96, "bond is 2^96: above uint96"); // one more than uint96 holds

        address poor = address(0xB00B);
        _registerNode(poor, 8, 80, MIN_STAKE); // 100 tokens of stake
        AIJobManager.JobRequest memory req = _request();
        req.maxPrice = price;
        uint64 id = _submitFunded(alice, req);
        _warpToClaimWindow(id);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientFreeStake.selector, poor, uint256(MIN_STAKE), fullBond)
        );
        _claim(poor, id, price);
        _expectRevertNext(
            abi.encodeWithSelector(NodeRegistry.InsufficientFreeStake.selector, node1, uint256(DEFAULT_STAKE), fullBond)
        );
        _claim(node1, id, price);
        _assertState(id, IAIJobManager.JobState.Open);
        assertEq(_node(poor).locked, 0, "nothing locked");
        assertEq(_node(node1).locked, 0, "nothing locked for node1");
    }

    // ================================================================== dependencies

    function testDependentJobClaimableOnlyAfterDependenciesFinalize() public {
        uint64 a = _openJob(alice);
        AIJobManager.JobRequest memory req = _request();
        req.dependsOn = _dependsOn(a);
        uint64 b = _submitFunded(bob, req); // same windows as `a`
        req.bidWindow = 1000;
        uint64 c = _submitFunded(bob, req); // its claim window opens after `a` can be finalized

        _warpToClaimWindow(a);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.DependencyNotFinalized.selector, b, a, IAIJobManager.JobState.Open)
        );
        _claim(node2, b, PRICE);
        _claim(node1, a, PRICE);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.DependencyNotFinalized.selector, b, a, IAIJobManager.JobState.Claimed)
        );
        _claim(node2, b, PRICE);

        _warpPastClaimEnd(a);
        _submitResult(node1, a);
        _expire(b); // no claim was possible: reopen
        _warpToClaimWindow(b);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.DependencyNotFinalized.selector, b, a, IAIJobManager.JobState.ResultSubmitted
            )
        );
        _claim(node2, b, PRICE);

        _warpPastChallengeWindow(a);
        _finalize(a);
        _warpToClaimWindow(c);
        _claim(node2, c, PRICE);
        assertEq(_job(c).claimer, node2, "dependent job claimed");
    }

    function testDependentJobNeedsEveryDependency() public {
        uint64 done = _finalizedJob(alice, node1, PRICE);
        uint64 cancelled = _cancelledJob(alice);
        AIJobManager.JobRequest memory req = _request();
        req.dependsOn = _dependsOn(done, cancelled);
        uint64 id = _submitFunded(bob, req);
        _warpToClaimWindow(id);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.DependencyNotFinalized.selector, id, cancelled, IAIJobManager.JobState.Cancelled
            )
        );
        _claim(node2, id, PRICE);
    }

    function testDependencyOnFinalizedJobsClaimable() public {
        uint64 a = _finalizedJob(alice, node1, PRICE);
        uint64 b = _finalizedJob(alice, node2, PRICE);
        AIJobManager.JobRequest memory req = _request();
        req.dependsOn = _dependsOn(a, b);
        uint64 id = _submitFunded(bob, req);
        _warpToClaimWindow(id);
        _claim(node3, id, PRICE);
        assertEq(_job(id).claimer, node3, "claimed");
    }

    /// @notice A dependent job's claim takes its dependencies' current records, exactly as many as it has
    /// dependencies, in `dependenciesOf` order; a job without dependencies takes none.
    function testClaimRequiresDependencyRecords() public {
        uint64 a = _finalizedJob(alice, node1, PRICE);
        uint64 b = _finalizedJob(alice, node2, PRICE);
        AIJobManager.JobRequest memory req = _request();
        req.dependsOn = _dependsOn(a, b);
        uint64 c = _submitFunded(bob, req);
        uint64 plain = _openJob(bob); // same windows as `c`
        _warpToClaimWindow(c);
        IAIJobManager.Job[] memory recs = _depRecs(c);
        assertEq(recs.length, 2, "two dependency records");
        assertEq(uint256(recs[0].state), uint256(IAIJobManager.JobState.Finalized), "a finalized");
        assertEq(uint256(recs[1].state), uint256(IAIJobManager.JobState.Finalized), "b finalized");

        IAIJobManager.Job[] memory none = new IAIJobManager.Job[](0);
        IAIJobManager.Job[] memory one = new IAIJobManager.Job[](1);
        one[0] = recs[0];
        IAIJobManager.Job[] memory three = new IAIJobManager.Job[](3);
        (three[0], three[1], three[2]) = (recs[0], recs[1], recs[1]);
        IAIJobManager.Job memory rc = _job(c);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.DependencyRecordsMismatch.selector, c, 0, 2));
        _claimWith(node3, c, rc, PRICE, none);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.DependencyRecordsMismatch.selector, c, 1, 2));
        _claimWith(node3, c, rc, PRICE, one);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.DependencyRecordsMismatch.selector, c, 3, 2));
        _claimWith(node3, c, rc, PRICE, three);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.DependencyRecordsMismatch.selector, plain, 1, 0));
        _claimWith(node3, plain, _job(plain), PRICE, one);
        assertEq(_node(node3).locked, 0, "refused claims lock nothing");

        _claimWith(node3, c, rc, PRICE, recs);
        assertEq(_job(c).claimer, node3, "claimed with both records");
        _claimWith(node3, plain, _job(plain), PRICE, none);
        assertEq(_job(plain).claimer, node3, "claimed with none");
    }

    /// @notice A dependency record that is not the dependency's current one is refused with the dependency's id
    /// and last change: the one from before it was finalized, an altered one, one passed in the wrong order,
    /// and a forged "Finalized" record of a dependency that is not.
    function testClaimRefusesStaleOrForgedDependencyRecord() public {
        vm.roll(100);
        uint64 a = _resultJob(alice, node1, PRICE);
        IAIJobManager.Job memory aResulted = _job(a);
        vm.roll(110);
        uint64 b = _resultJob(alice, node2, PRICE); // another node, a little later
        IAIJobManager.Job memory bResulted = _job(b);
        AIJobManager.JobRequest memory req = _request();
        req.dependsOn = _dependsOn(a, b);
        req.bidWindow = 1000; // its claim window opens after `a` and `b` can be finalized
        uint64 c = _submitFunded(bob, req);
        _warpToClaimWindow(c);

        // `a` not finalized yet: its true record gets DependencyNotFinalized, a forged Finalized one is stale.
        _claimWithDepsRefused(
            c,
            aResulted,
            bResulted,
            abi.encodeWithSelector(
                AIJobManager.DependencyNotFinalized.selector, c, a, IAIJobManager.JobState.ResultSubmitted
            )
        );
        IAIJobManager.Job memory forged = _job(a);
        forged.state = IAIJobManager.JobState.Finalized;
        _claimWithDepsRefused(c, forged, bResulted, _staleErr(a, 100));

        vm.roll(120);
        _finalize(a);
        vm.roll(130);
        _finalize(b);
        assertEq(jobManager.lastChangeBlock(a), 120, "a finalized at 120");
        assertEq(jobManager.lastChangeBlock(b), 130, "b finalized at 130");
        // The records from before the finalizations are stale now.
        _claimWithDepsRefused(c, aResulted, _job(b), _staleErr(a, 120));
        _claimWithDepsRefused(c, _job(a), bResulted, _staleErr(b, 130));
        // Current records in the wrong order.
        _claimWithDepsRefused(c, _job(b), _job(a), _staleErr(a, 120));
        // An altered current record.
        forged = _job(b);
        forged.outputRoot = keccak256("another output");
        _claimWithDepsRefused(c, _job(a), forged, _staleErr(b, 130));

        _claim(node3, c, PRICE);
        assertEq(_job(c).claimer, node3, "claimed with the current records");
    }

    /// @dev node3 claims `c` at PRICE with the dependency records (`d0`, `d1`): must revert with `err`.
    function _claimWithDepsRefused(
        uint64 c,
        IAIJobManager.Job memory d0,
        IAIJobManager.Job memory d1,
        bytes memory err
    ) internal {
        IAIJobManager.Job[] memory deps = new IAIJobManager.Job[](2);
        (deps[0], deps[1]) = (d0, d1);
        _expectRevertNext(err);
        _claimWith(node3, c, _job(c), PRICE, deps);
    }

    // ================================================================== submitResult (moved from ProofOfCompute)

    function testSubmitResult() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        uint256 t = _now();
        IAIJobManager.Job memory e = _job(id);
        e.state = IAIJobManager.JobState.ResultSubmitted;
        e.resultAt = uint32(t);
        e.outputRoot = OUTPUT_ROOT;
        _recordLogs();
        _submitResultRaw(node1, id, OUTPUT_ROOT, METRICS_HASH, OUTPUT_URI);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.ResultSubmitted.selector),
            _topics(_t(uint256(id)), _t(node1)),
            abi.encode(METRICS_HASH, OUTPUT_URI, e)
        );
        assertEq(_challengeEnds(id), t + CHALLENGE_WINDOW, "challengeEnds");
        IAIJobManager.Job memory j = _job(id);
        assertEq(uint256(j.state), uint256(IAIJobManager.JobState.ResultSubmitted), "state");
        assertEq(j.resultAt, t, "resultAt");
        assertEq(j.outputRoot, OUTPUT_ROOT, "output root");
        assertEq(_node(node1).locked, _bond(PRICE), "bond stays locked until payout");
    }

    function testSubmitResultAtWindowEdges() public {
        uint64 a = _claimedJob(alice, node1, PRICE);
        uint64 b = _claimedJob(alice, node2, PRICE);
        _warpPastClaimEnd(a); // first second of the assignment
        _submitResult(node1, a);
        _warpToDeadline(b); // last second before the deadline
        _submitResultRaw(node2, b, OUTPUT_ROOT, bytes32(0), OUTPUT_URI); // a zero metrics hash is allowed
        _assertState(a, IAIJobManager.JobState.ResultSubmitted);
        _assertState(b, IAIJobManager.JobState.ResultSubmitted);
    }

    function testSubmitResultRevertsZeroOutputRoot() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        _expectRevertNext(AIJobManager.ZeroOutputRoot.selector);
        _submitResultRaw(node1, id, bytes32(0), METRICS_HASH, OUTPUT_URI);
    }

    function testSubmitResultRevertsEmptyOutputUri() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        _expectRevertNext(AIJobManager.EmptyOutputUri.selector);
        _submitResultRaw(node1, id, OUTPUT_ROOT, METRICS_HASH, "");
    }

    function testSubmitResultRevertsUnknownJob() public {
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(5)));
        _submitResult(node1, 5);
    }

    function testSubmitResultRevertsWrongState() public {
        IAIJobManager.JobState[7] memory states = [
            IAIJobManager.JobState.Open,
            IAIJobManager.JobState.ResultSubmitted,
            IAIJobManager.JobState.Disputed,
            IAIJobManager.JobState.Finalized,
            IAIJobManager.JobState.Cancelled,
            IAIJobManager.JobState.Expired,
            IAIJobManager.JobState.Failed
        ];
        for (uint256 i; i < states.length; ++i) {
            uint64 id = _jobIn(states[i], alice, node1, PRICE);
            _expectRevertNext(
                abi.encodeWithSelector(AIJobManager.WrongState.selector, id, states[i], IAIJobManager.JobState.Claimed)
            );
            _submitResult(node1, id);
        }
    }

    function testSubmitResultRevertsNotAssignedNode() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NotAssignedNode.selector, id, node2, node1));
        _submitResult(node2, id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NotAssignedNode.selector, id, alice, node1));
        _submitResult(alice, id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NotAssignedNode.selector, id, stranger, node1));
        _submitResult(stranger, id);
    }

    function testSubmitResultRevertsForOutbidClaimer() public {
        uint64 id = _claimedJob(alice, node1, 90e6);
        _claim(node2, id, 80e6);
        _warpPastClaimEnd(id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NotAssignedNode.selector, id, node1, node2));
        _submitResult(node1, id);
    }

    function testSubmitResultRevertsClaimWindowStillOpen() public {
        uint64 id = _claimedJob(alice, node1, PRICE);
        uint256 claimEnd = _claimEnd(id);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.ClaimWindowStillOpen.selector, id, claimEnd, _now())
        );
        _submitResult(node1, id);
        _warpTo(claimEnd - 1);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.ClaimWindowStillOpen.selector, id, claimEnd, claimEnd - 1)
        );
        _submitResult(node1, id);
    }

    function testSubmitResultRevertsDeadlinePassed() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        uint256 deadline = _deadline(id);
        _warpPastDeadline(id);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.DeadlinePassed.selector, id, deadline, deadline + 1)
        );
        _submitResult(node1, id);
    }

    // ================================================================== cancel

    function testCancelOpen() public {
        uint64 id = _openJob(alice);
        IAIJobManager.Job memory e = _job(id);
        e.state = IAIJobManager.JobState.Cancelled;
        _recordLogs();
        _cancel(alice, id);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobCancelled.selector),
            _topics(_t(uint256(id)), _t(address(0))),
            abi.encode(uint96(0), DEFAULT_MAX_PRICE, e)
        );
        _assertState(id, IAIJobManager.JobState.Cancelled);
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE, "full refund");
        assertEq(token.balanceOf(address(jobManager)), DEFAULT_MAX_PRICE, "held until withdrawn");
    }

    function testCancelClaimedInClaimWindow() public {
        uint64 id = _claimedJob(alice, node1, PRICE);
        IAIJobManager.Job memory e = _job(id);
        e.state = IAIJobManager.JobState.Cancelled;
        _recordLogs();
        _cancel(alice, id);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobCancelled.selector),
            _topics(_t(uint256(id)), _t(node1)),
            abi.encode(uint96(0), DEFAULT_MAX_PRICE, e)
        );
        _assertState(id, IAIJobManager.JobState.Cancelled);
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE, "full refund before assignment");
        assertEq(jobManager.balanceOf(node1), 0, "no fee before assignment");
        assertEq(_node(node1).locked, 0, "bond released");
        assertEq(_node(node1).stake, DEFAULT_STAKE, "no slash");
    }

    function testCancelAssignedPaysNodeFee() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        uint96 fee = uint96(_cancelFee(PRICE));
        assertEq(fee, 6e6, "10% of the price");
        IAIJobManager.Job memory e = _job(id);
        e.state = IAIJobManager.JobState.Cancelled;
        _recordLogs();
        _cancel(alice, id);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobCancelled.selector),
            _topics(_t(uint256(id)), _t(node1)),
            abi.encode(fee, DEFAULT_MAX_PRICE - fee, e)
        );
        assertEq(jobManager.balanceOf(node1), fee, "node fee");
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE - fee, "refund");
        assertEq(_node(node1).locked, 0, "bond released");
    }

    function testCancelAtDeadlineStillPaysFee() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        _warpToDeadline(id);
        _cancel(alice, id);
        assertEq(jobManager.balanceOf(node1), _cancelFee(PRICE), "fee at the deadline");
    }

    function testCancelRevertsNodeMissedDeadline() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        uint256 deadline = _deadline(id);
        _warpPastDeadline(id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NodeMissedDeadline.selector, id, deadline));
        _cancel(alice, id);
        // `expire` is the way out: the node is slashed.
        _expire(id);
        _assertState(id, IAIJobManager.JobState.Open);
    }

    function testCancelRevertsNotRequester() public {
        uint64 id = _openJob(alice);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NotRequester.selector, id, bob, alice));
        _cancel(bob, id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NotRequester.selector, id, node1, alice));
        _cancel(node1, id);
    }

    function testCancelRevertsUnknownJob() public {
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(42)));
        _cancel(alice, 42);
    }

    function testCancelRevertsJobNotCancellable() public {
        IAIJobManager.JobState[6] memory states = [
            IAIJobManager.JobState.ResultSubmitted,
            IAIJobManager.JobState.Disputed,
            IAIJobManager.JobState.Finalized,
            IAIJobManager.JobState.Cancelled,
            IAIJobManager.JobState.Expired,
            IAIJobManager.JobState.Failed
        ];
        for (uint256 i; i < states.length; ++i) {
            uint64 id = _jobIn(states[i], alice, node1, PRICE);
            _expectRevertNext(abi.encodeWithSelector(AIJobManager.JobNotCancellable.selector, id, states[i]));
            _cancel(alice, id);
        }
    }

    // ================================================================== finalize

    function testFinalize() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        _warpPastChallengeWindow(id);
        IAIJobManager.Job memory e = _job(id);
        e.state = IAIJobManager.JobState.Finalized;
        assertEq(e.price, PRICE, "price in the record");
        _recordLogs();
        _finalize(id);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobFinalized.selector),
            _topics(_t(uint256(id)), _t(node1)),
            abi.encode(DEFAULT_MAX_PRICE - PRICE, e)
        );
        _assertState(id, IAIJobManager.JobState.Finalized);
        assertEq(jobManager.balanceOf(node1), PRICE, "node paid");
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE - PRICE, "requester refunded");
        assertEq(_node(node1).locked, 0, "bond released");
        assertEq(_node(node1).stake, DEFAULT_STAKE, "stake intact");
        assertEq(token.balanceOf(address(jobManager)), DEFAULT_MAX_PRICE, "all held as balances");
    }

    function testFinalizeAtMaxPriceNoRefund() public {
        uint64 id = _resultJob(alice, node1, DEFAULT_MAX_PRICE);
        _warpPastChallengeWindow(id);
        _finalizeAs(node1, id);
        assertEq(jobManager.balanceOf(node1), DEFAULT_MAX_PRICE, "node paid max");
        assertEq(jobManager.balanceOf(alice), 0, "no refund");
    }

    function testFinalizeTrainJobIsCheckpoint() public {
        uint64 id = _submitFunded(alice, _request(TRAIN));
        _warpToClaimWindow(id);
        _claim(node1, id, PRICE);
        _warpPastClaimEnd(id);
        _submitResult(node1, id);
        IAIJobManager.Job memory resulted = _job(id);
        vm.expectRevert(abi.encodeWithSelector(AIJobManager.NotACheckpoint.selector, id));
        jobManager.jobCheckpoint(id, resulted);
        _warpPastChallengeWindow(id);
        _finalize(id);
        IAIJobManager.Job memory finalized = _job(id);
        (uint32 modelId, uint32 datasetId, address node, bytes32 root) = jobManager.jobCheckpoint(id, finalized);
        assertEq(modelId, 1, "model");
        assertEq(datasetId, 1, "dataset");
        assertEq(node, node1, "node");
        assertEq(root, OUTPUT_ROOT, "output root");

        // Only from the current record: the stale one (before finalize) and an altered one are refused.
        uint256 changed = jobManager.lastChangeBlock(id);
        vm.expectRevert(abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, changed));
        jobManager.jobCheckpoint(id, resulted);
        IAIJobManager.Job memory forged = _job(id);
        forged.outputRoot = keccak256("another output");
        vm.expectRevert(abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, changed));
        jobManager.jobCheckpoint(id, forged);
    }

    function testJobCheckpointRevertsForNonTrainJob() public {
        uint64 id = _finalizedJob(alice, node1, PRICE);
        IAIJobManager.Job memory j = _job(id);
        IAIJobManager.Job memory none = _rec(id + 1);
        vm.expectRevert(abi.encodeWithSelector(AIJobManager.NotACheckpoint.selector, id));
        jobManager.jobCheckpoint(id, j);
        vm.expectRevert(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, id + 1));
        jobManager.jobCheckpoint(id + 1, none);
    }

    function testFinalizeRevertsWrongState() public {
        IAIJobManager.JobState[7] memory states = [
            IAIJobManager.JobState.Open,
            IAIJobManager.JobState.Claimed,
            IAIJobManager.JobState.Disputed,
            IAIJobManager.JobState.Finalized,
            IAIJobManager.JobState.Cancelled,
            IAIJobManager.JobState.Expired,
            IAIJobManager.JobState.Failed
        ];
        for (uint256 i; i < states.length; ++i) {
            uint64 id = _jobIn(states[i], alice, node1, PRICE);
            _warpBy(CHALLENGE_WINDOW);
            _expectRevertNext(
                abi.encodeWithSelector(
                    AIJobManager.WrongState.selector, id, states[i], IAIJobManager.JobState.ResultSubmitted
                )
            );
            _finalize(id);
        }
    }

    function testFinalizeRevertsChallengeWindowOpen() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        uint256 closesAt = _challengeEnds(id);
        assertEq(closesAt, _now() + CHALLENGE_WINDOW, "closesAt");
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ChallengeWindowOpen.selector, id, closesAt, _now()));
        _finalize(id);
        _warpTo(closesAt - 1);
        _expectRevertNext(
            abi.encodeWithSelector(AIJobManager.ChallengeWindowOpen.selector, id, closesAt, closesAt - 1)
        );
        _finalize(id);
        _warpTo(closesAt);
        _finalize(id);
    }

    function testFinalizeRevertsUnknownJob() public {
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(1)));
        _finalize(1);
    }

    // ================================================================== expire

    function testExpireOpenWithoutClaimReopens() public {
        uint64 id = _openJob(alice);
        _warpPastClaimEnd(id);
        uint256 t = _now();
        IAIJobManager.Job memory e = _job(id);
        _recordLogs();
        _expire(id);
        uint32 newBidEnd = uint32(t + DEFAULT_BID_WINDOW);
        e.attempts = 1;
        e.bidEnd = newBidEnd;
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobReopened.selector),
            _topics(_t(uint256(id))),
            abi.encode(e)
        );
        assertEq(jobManager.claimEnd(e), uint256(newBidEnd) + CLAIM_WINDOW, "new claimEnd");
        IAIJobManager.Job memory j = _job(id);
        assertEq(uint256(j.state), uint256(IAIJobManager.JobState.Open), "open again");
        assertEq(j.attempts, 1, "attempts");
        assertEq(j.bidEnd, newBidEnd, "new bid window");
        assertEq(jobManager.balanceOf(alice), 0, "escrow kept");
        assertEq(token.balanceOf(address(jobManager)), DEFAULT_MAX_PRICE, "escrow held");
    }

    function testExpireMissedDeadlineSlashesThenReopens() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        uint96 bond = uint96(_bond(PRICE));
        _warpPastDeadline(id);
        uint256 t = _now();
        IAIJobManager.Job memory e = _job(id);
        _recordLogs();
        _expire(id);
        Vm.Log[] memory logs = _logs();
        // The requester (no longer a topic of JobNodeSlashed) is the recipient in the registry's Slashed event.
        _assertLog(
            _findLog(logs, address(jobManager), AIJobManager.JobNodeSlashed.selector),
            _topics(_t(uint256(id)), _t(node1)),
            abi.encode(uint256(bond))
        );
        _assertLog(
            _findLog(logs, address(nodeRegistry), NodeRegistry.Slashed.selector),
            _topics(_t(node1), _t(alice)),
            abi.encode(uint256(bond), uint256(DEFAULT_STAKE - bond))
        );
        uint32 newBidEnd = uint32(t + DEFAULT_BID_WINDOW);
        e.state = IAIJobManager.JobState.Open;
        e.attempts = 1;
        e.bidEnd = newBidEnd;
        e.claimer = address(0);
        e.price = 0;
        _assertLog(
            _findLog(logs, address(jobManager), AIJobManager.JobReopened.selector),
            _topics(_t(uint256(id))),
            abi.encode(e)
        );
        assertEq(jobManager.claimEnd(e), uint256(newBidEnd) + CLAIM_WINDOW, "new claimEnd");
        assertEq(token.balanceOf(alice), bond, "bond paid to the requester");
        assertEq(_node(node1).stake, DEFAULT_STAKE - bond, "stake slashed");
        assertEq(_node(node1).locked, 0, "nothing locked");
        IAIJobManager.Job memory j = _job(id);
        assertEq(uint256(j.state), uint256(IAIJobManager.JobState.Open), "reopened");
        assertEq(j.claimer, address(0), "claimer cleared");
        assertEq(j.price, 0, "price cleared");
        assertEq(j.attempts, 1, "attempts");

        // A new auction runs; the slashed node's old claim is gone.
        _warpToClaimWindow(id);
        _claim(node2, id, 80e6);
        _warpPastClaimEnd(id);
        _submitResult(node2, id);
        _warpPastChallengeWindow(id);
        _finalize(id);
        assertEq(jobManager.balanceOf(node2), 80e6, "second node paid");
    }

    function testExpireAttemptsExhaustedRefunds() public {
        uint64 id = _openJob(alice);
        for (uint256 i = 1; i < MAX_ATTEMPTS; ++i) {
            _warpPastClaimEnd(id);
            _expire(id);
            assertEq(_job(id).attempts, i, "attempt");
        }
        _warpPastClaimEnd(id);
        IAIJobManager.Job memory e = _job(id);
        e.state = IAIJobManager.JobState.Expired;
        e.attempts = MAX_ATTEMPTS;
        _recordLogs();
        _expire(id);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.JobExpired.selector),
            _topics(_t(uint256(id))),
            abi.encode(DEFAULT_MAX_PRICE, e)
        );
        _assertState(id, IAIJobManager.JobState.Expired);
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE, "refunded");
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.NotExpirable.selector, id, IAIJobManager.JobState.Expired, uint256(0), _now()
            )
        );
        _expire(id);
    }

    function testExpireMissedDeadlineOnLastAttemptSlashesAndRefunds() public {
        uint64 id = _openJob(alice);
        for (uint256 i = 1; i < MAX_ATTEMPTS; ++i) {
            _warpPastClaimEnd(id);
            _expire(id);
        }
        _warpToClaimWindow(id);
        _claim(node1, id, PRICE);
        _warpPastDeadline(id);
        _recordLogs();
        _expire(id);
        Vm.Log[] memory logs = _logs();
        assertEq(_countLogs(logs, address(jobManager), AIJobManager.JobNodeSlashed.selector), 1, "slashed");
        assertEq(_countLogs(logs, address(jobManager), AIJobManager.JobExpired.selector), 1, "expired");
        assertEq(_countLogs(logs, address(jobManager), AIJobManager.JobReopened.selector), 0, "not reopened");
        _assertState(id, IAIJobManager.JobState.Expired);
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE, "escrow refunded");
        assertEq(token.balanceOf(alice), _bond(PRICE), "plus the bond");
    }

    function testExpireRevertsOpenBeforeClaimEnd() public {
        uint64 id = _openJob(alice);
        uint256 claimEnd = _claimEnd(id);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.NotExpirable.selector, id, IAIJobManager.JobState.Open, claimEnd, _now()
            )
        );
        _expire(id);
        _warpTo(claimEnd - 1);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.NotExpirable.selector, id, IAIJobManager.JobState.Open, claimEnd, claimEnd - 1
            )
        );
        _expire(id);
    }

    function testExpireRevertsClaimedBeforeDeadline() public {
        uint64 id = _claimedJob(alice, node1, PRICE);
        uint256 deadline = _deadline(id);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.NotExpirable.selector, id, IAIJobManager.JobState.Claimed, deadline + 1, _now()
            )
        );
        _expire(id);
        _warpToDeadline(id);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.NotExpirable.selector, id, IAIJobManager.JobState.Claimed, deadline + 1, deadline
            )
        );
        _expire(id);
    }

    function testExpireRevertsOtherStates() public {
        IAIJobManager.JobState[6] memory states = [
            IAIJobManager.JobState.ResultSubmitted,
            IAIJobManager.JobState.Disputed,
            IAIJobManager.JobState.Finalized,
            IAIJobManager.JobState.Cancelled,
            IAIJobManager.JobState.Expired,
            IAIJobManager.JobState.Failed
        ];
        for (uint256 i; i < states.length; ++i) {
            uint64 id = _jobIn(states[i], alice, node1, PRICE);
            _warpBy(MAX_RUNTIME_LIMIT);
            _expectRevertNext(
                abi.encodeWithSelector(AIJobManager.NotExpirable.selector, id, states[i], uint256(0), _now())
            );
            _expire(id);
        }
    }

    function testExpireRevertsUnknownJob() public {
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(3)));
        _expire(3);
    }

    // ================================================================== withdraw

    function testWithdraw() public {
        uint64 id = _finalizedJob(alice, node1, PRICE);
        assertEq(uint256(id), 1, "id");
        _recordLogs();
        _withdrawBalance(node1, node1);
        _assertLog(
            _findLog(_logs(), address(jobManager), AIJobManager.Withdrawn.selector),
            _topics(_t(node1), _t(node1)),
            abi.encode(uint256(PRICE))
        );
        assertEq(token.balanceOf(node1), PRICE, "node received");
        assertEq(jobManager.balanceOf(node1), 0, "balance cleared");

        address wallet = address(0xCAFE);
        _withdrawBalance(alice, wallet);
        assertEq(token.balanceOf(wallet), DEFAULT_MAX_PRICE - PRICE, "paid to another address");
        assertEq(token.balanceOf(address(jobManager)), 0, "manager empty");
    }

    function testWithdrawAccumulatesSeveralCredits() public {
        _finalizedJob(alice, node1, 10e6);
        _finalizedJob(bob, node1, 20e6);
        _cancel(alice, _assignedJob(alice, node1, 50e6));
        uint256 expected = 10e6 + 20e6 + _cancelFee(50e6);
        assertEq(jobManager.balanceOf(node1), expected, "credits");
        _withdrawBalance(node1, node1);
        assertEq(token.balanceOf(node1), expected, "paid once");
    }

    function testWithdrawRevertsZeroAddress() public {
        _finalizedJob(alice, node1, PRICE);
        _expectRevertNext(AIJobManager.ZeroAddress.selector);
        _withdrawBalance(node1, address(0));
    }

    function testWithdrawRevertsNothingToWithdraw() public {
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NothingToWithdraw.selector, alice));
        _withdrawBalance(alice, alice);
        _finalizedJob(alice, node1, PRICE);
        _withdrawBalance(node1, node1);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.NothingToWithdraw.selector, node1));
        _withdrawBalance(node1, node1);
    }

    // ================================================================== proof hooks

    function testProofHooksRevertOnlyProof() public {
        uint64 id = _assignedJob(alice, node1, PRICE);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.OnlyProof.selector, alice));
        _hookOnDisputed(alice, id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.OnlyProof.selector, address(this)));
        _hookOnDisputeUnresolved(address(this), id);
    }

    function testProofHooksRevertWrongStateOrUnknownJob() public {
        address p = address(proofOfCompute);
        uint64 id = _openJob(alice);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.WrongState.selector, id, IAIJobManager.JobState.Open, IAIJobManager.JobState.ResultSubmitted
            )
        );
        _hookOnDisputed(p, id);
        _expectRevertNext(
            abi.encodeWithSelector(
                AIJobManager.WrongState.selector, id, IAIJobManager.JobState.Open, IAIJobManager.JobState.Disputed
            )
        );
        _hookOnDisputeUnresolved(p, id);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(99)));
        _hookOnDisputed(p, 99);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(99)));
        _hookOnDisputeUnresolved(p, 99);
    }

    // ================================================================== job records

    function _staleErr(uint64 id, uint256 lastChange) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, lastChange);
    }

    /// @notice A copy of `j` with field `field` (0..18, in declaration order) changed to another valid value.
    function _alter(IAIJobManager.Job memory j, uint256 field) internal pure returns (IAIJobManager.Job memory a) {
        a = abi.decode(abi.encode(j), (IAIJobManager.Job)); // a copy: `j` stays unchanged
        if (field == 0) a.requester = address(uint160(a.requester) ^ 1);
        else if (field == 1) a.maxPrice ^= 1;
        else if (field == 2) a.state = IAIJobManager.JobState((uint8(a.state) + 1) % 9);
        else if (field == 3) a.kind = IAIJobManager.JobKind((uint8(a.kind) + 1) % 3);
        else if (field == 4) a.verification ^= 1;
        else if (field == 5) a.attempts ^= 1;
        else if (field == 6) a.gpuCount ^= 1;
        else if (field == 7) a.minCertLevel ^= 1;
        else if (field == 8) a.minVramGb ^= 1;
        else if (field == 9) a.dependencyCount ^= 1;
        else if (field == 10) a.bidWindow ^= 1;
        else if (field == 11) a.bidEnd ^= 1;
        else if (field == 12) a.maxRuntime ^= 1;
        else if (field == 13) a.resultAt ^= 1;
        else if (field == 14) a.modelId ^= 1;
        else if (field == 15) a.datasetId ^= 1;
        else if (field == 16) a.claimer = address(uint160(a.claimer) ^ 1);
        else if (field == 17) a.price ^= 1;
        else if (field == 18) a.outputRoot ^= bytes32(uint256(1));
        else fail("_alter: no such field");
    }

    function testIsCurrent() public {
        uint64 id = _openJob(alice);
        IAIJobManager.Job memory open = _job(id);
        assertTrue(jobManager.isCurrent(id, open), "first record is current");
        _warpToClaimWindow(id);
        _claim(node1, id, PRICE);
        IAIJobManager.Job memory claimed = _job(id);
        assertTrue(jobManager.isCurrent(id, claimed), "claimed record is current");
        assertFalse(jobManager.isCurrent(id, open), "the pre-claim record is stale");
        assertFalse(jobManager.isCurrent(id, _alter(claimed, 17)), "altered price");
        assertFalse(jobManager.isCurrent(id + 1, claimed), "unknown id");
        assertFalse(jobManager.isCurrent(0, claimed), "id 0");
        // Each job has its own record: a second job's (Open) record is not the first's.
        uint64 other = _openJob(bob);
        assertFalse(jobManager.isCurrent(id, _job(other)), "another job's record");
        assertFalse(jobManager.isCurrent(other, claimed), "first job's record for second");
    }

    /// @notice `isCurrent` refuses a record with any one field changed.
    function testIsCurrentFalseForEveryAlteredField() public {
        uint64 id = _resultJob(alice, node1, PRICE); // every field non-trivial
        IAIJobManager.Job memory j = _job(id);
        assertTrue(jobManager.isCurrent(id, j), "current");
        for (uint256 f; f < 19; ++f) {
            assertFalse(jobManager.isCurrent(id, _alter(j, f)), string.concat("field ", vm.toString(f)));
        }
    }

    function testLastChangeBlock() public {
        assertEq(jobManager.lastChangeBlock(1), 0, "unknown job");
        vm.roll(100);
        uint64 id = _openJob(alice);
        assertEq(jobManager.lastChangeBlock(id), 100, "submitted");
        vm.roll(150);
        _warpToClaimWindow(id);
        _claim(node1, id, PRICE);
        assertEq(jobManager.lastChangeBlock(id), 150, "claimed");
        vm.roll(160);
        _expectRevertNext(abi.encodeWithSelector(AIJobManager.ClaimNotLower.selector, id, uint256(PRICE), uint256(PRICE)));
        _claim(node2, id, PRICE);
        assertEq(jobManager.lastChangeBlock(id), 150, "a refused call changes nothing");
        vm.roll(170);
        uint64 other = _openJob(bob);
        assertEq(jobManager.lastChangeBlock(id), 150, "untouched by another job");
        assertEq(jobManager.lastChangeBlock(other), 170, "the other job");
        vm.roll(200);
        _warpPastClaimEnd(id);
        _submitResult(node1, id);
        assertEq(jobManager.lastChangeBlock(id), 200, "result");
        vm.roll(250);
        _warpPastChallengeWindow(id);
        _finalize(id);
        assertEq(jobManager.lastChangeBlock(id), 250, "finalized");
        vm.roll(300);
        _withdrawBalance(node1, node1);
        assertEq(jobManager.lastChangeBlock(id), 250, "a withdrawal is no job change");
    }

    /// @notice The block `lastChangeBlock` names holds the record: the `job` of the job's last event in it.
    function testLastChangeBlockLogsHoldTheRecord() public {
        vm.roll(100);
        uint64 id = _openJob(alice);
        _warpToClaimWindow(id);
        vm.roll(101);
        _recordLogs();
        _claim(node1, id, 90e6);
        _claim(node2, id, 80e6); // same block: the later event holds the record
        Vm.Log[] memory logs = _logs();
        assertEq(jobManager.lastChangeBlock(id), 101, "block");
        assertEq(_countLogs(logs, address(jobManager), AIJobManager.JobClaimed.selector), 2, "two claims");
        IAIJobManager.Job memory last;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(jobManager) && logs[i].topics[0] == AIJobManager.JobClaimed.selector) {
                last = abi.decode(logs[i].data, (IAIJobManager.Job));
            }
        }
        assertTrue(jobManager.isCurrent(id, last), "last event's record is current");
        assertEq(last.claimer, node2, "claimer");
        assertEq(last.price, 80e6, "price");
    }

    function testClaimRevertsStaleRecord() public {
        vm.roll(100);
        uint64 id = _openJob(alice);
        IAIJobManager.Job memory open = _job(id);
        _warpToClaimWindow(id);
        vm.roll(110);
        _claim(node1, id, 90e6);
        IAIJobManager.Job[] memory none = new IAIJobManager.Job[](0);
        // node2 outbids with the pre-claim record (which shows no claim to beat): refused.
        _expectRevertNext(_staleErr(id, 110));
        _claimWith(node2, id, open, 80e6, none);
        assertEq(_node(node2).locked, 0, "nothing locked");
        assertEq(_node(node1).locked, _bond(90e6), "node1's claim stands");
        // With the current record it goes through.
        _claimWith(node2, id, _job(id), 80e6, none);
        assertEq(_job(id).claimer, node2, "outbid");
    }

    function testClaimRevertsAlteredRecord() public {
        AIJobManager.JobRequest memory req = _request();
        req.requirements = _req(16, 24, 0); // more GPUs than node1 has
        vm.roll(100);
        uint64 id = _submitFunded(alice, req);
        _warpToClaimWindow(id);
        IAIJobManager.Job memory forged = _job(id);
        forged.gpuCount = 8;
        _expectRevertNext(_staleErr(id, 100));
        _claimWith(node1, id, forged, PRICE, new IAIJobManager.Job[](0));
        forged = _job(id);
        forged.maxPrice = DEFAULT_MAX_PRICE * 2;
        _expectRevertNext(_staleErr(id, 100));
        _claimWith(node1, id, forged, DEFAULT_MAX_PRICE * 2, new IAIJobManager.Job[](0));
        _assertState(id, IAIJobManager.JobState.Open);
    }

    function testSubmitResultRevertsStaleRecord() public {
        vm.roll(100);
        uint64 id = _claimedJob(alice, node1, 90e6);
        IAIJobManager.Job memory mine = _job(id); // names node1 the claimer
        vm.roll(110);
        _claim(node2, id, 80e6);
        _warpPastClaimEnd(id);
        // node1 submits with its own, now stale, record: refused as stale (not as NotAssignedNode).
        _expectRevertNext(_staleErr(id, 110));
        _submitResultWith(node1, id, mine, OUTPUT_ROOT, METRICS_HASH, OUTPUT_URI);
        _submitResult(node2, id);
        _assertState(id, IAIJobManager.JobState.ResultSubmitted);
    }

    function testSubmitResultRevertsAlteredRecord() public {
        vm.roll(100);
        uint64 id = _assignedJob(alice, node1, PRICE);
        IAIJobManager.Job memory forged = _job(id);
        forged.claimer = node2; // node2 pretends to be the assigned node
        _expectRevertNext(_staleErr(id, 100));
        _submitResultWith(node2, id, forged, OUTPUT_ROOT, METRICS_HASH, OUTPUT_URI);
        forged = _job(id);
        forged.maxRuntime = MAX_RUNTIME_LIMIT; // node1 stretches its deadline
        _warpPastDeadline(id);
        _expectRevertNext(_staleErr(id, 100));
        _submitResultWith(node1, id, forged, OUTPUT_ROOT, METRICS_HASH, OUTPUT_URI);
        _assertState(id, IAIJobManager.JobState.Claimed);
    }

    function testFinalizeRevertsStaleRecord() public {
        vm.roll(100);
        uint64 id = _assignedJob(alice, node1, PRICE);
        IAIJobManager.Job memory claimed = _job(id);
        vm.roll(120);
        _submitResult(node1, id);
        IAIJobManager.Job memory resulted = _job(id);
        _warpPastChallengeWindow(id);
        _expectRevertNext(_staleErr(id, 120));
        _finalizeWith(stranger, id, claimed);
        vm.roll(130);
        _finalize(id);
        // Replaying the record it was finalized with: stale, not paid twice.
        _expectRevertNext(_staleErr(id, 130));
        _finalizeWith(stranger, id, resulted);
        assertEq(jobManager.balanceOf(node1), PRICE, "paid once");
    }

    function testFinalizeRevertsAlteredRecord() public {
        vm.roll(100);
        uint64 id = _resultJob(alice, node1, PRICE);
        IAIJobManager.Job memory forged = _job(id);
        forged.resultAt -= CHALLENGE_WINDOW; // the challenge window looks closed already
        _expectRevertNext(_staleErr(id, 100));
        _finalizeWith(node1, id, forged);
        _warpPastChallengeWindow(id);
        forged = _job(id);
        forged.price = DEFAULT_MAX_PRICE; // the node raises its pay
        _expectRevertNext(_staleErr(id, 100));
        _finalizeWith(node1, id, forged);
        _assertState(id, IAIJobManager.JobState.ResultSubmitted);
    }

    function testCancelRevertsStaleRecord() public {
        vm.roll(100);
        uint64 id = _openJob(alice);
        IAIJobManager.Job memory open = _job(id);
        _warpToClaimWindow(id);
        vm.roll(110);
        _claim(node1, id, PRICE);
        // The Open record would skip releasing the claimer's bond.
        _expectRevertNext(_staleErr(id, 110));
        _cancelWith(alice, id, open);
        _cancel(alice, id);
        assertEq(_node(node1).locked, 0, "bond released");
        assertEq(jobManager.balanceOf(alice), DEFAULT_MAX_PRICE, "refunded once");
    }

    function testCancelRevertsAlteredRecord() public {
        vm.roll(100);
        uint64 id = _openJob(alice);
        IAIJobManager.Job memory forged = _job(id);
        forged.requester = bob; // bob poses as the requester
        _expectRevertNext(_staleErr(id, 100));
        _cancelWith(bob, id, forged);
        _assertState(id, IAIJobManager.JobState.Open);
        assertEq(jobManager.balanceOf(bob), 0, "no refund to bob");
    }

    function testExpireRevertsStaleRecord() public {
        vm.roll(100);
        uint64 id = _openJob(alice);
        IAIJobManager.Job memory open = _job(id);
        _warpToClaimWindow(id);
        vm.roll(110);
        _claim(node1, id, PRICE);
        IAIJobManager.Job memory claimed = _job(id);
        _warpPastDeadline(id);
        // The Open record (no claimer to slash) is stale.
        _expectRevertNext(_staleErr(id, 110));
        _expireWith(id, open);
        vm.roll(120);
        _expire(id); // slashes and reopens
        // Replaying the claimed record after the reopen: no second slash.
        _warpPastDeadline(id);
        _expectRevertNext(_staleErr(id, 120));
        _expireWith(id, claimed);
        assertEq(_node(node1).stake, DEFAULT_STAKE - _bond(PRICE), "slashed once");
        assertEq(_job(id).attempts, 1, "one reopening");
    }

    function testExpireRevertsAlteredRecord() public {
        vm.roll(100);
        uint64 id = _openJob(alice);
        IAIJobManager.Job memory forged = _job(id);
        forged.bidEnd -= DEFAULT_BID_WINDOW + CLAIM_WINDOW; // pretend the auction is over
        _expectRevertNext(_staleErr(id, 100));
        _expireWith(id, forged);
        _assertState(id, IAIJobManager.JobState.Open);
        assertEq(_job(id).attempts, 0, "no attempt used");
    }

    /// @notice Every action refuses a record with any one field changed, before any other check.
    function testEveryActionRevertsEveryAlteredField() public {
        vm.roll(100);
        uint64 id = _resultJob(alice, node1, PRICE); // every field non-trivial
        IAIJobManager.Job memory j = _job(id);
        _fundChallenger(alice);
        bytes memory err = _staleErr(id, 100);
        for (uint256 f; f < 19; ++f) {
            IAIJobManager.Job memory a = _alter(j, f);
            _expectRevertNext(err);
            _claimWith(node2, id, a, 1, new IAIJobManager.Job[](0));
            _expectRevertNext(err);
            _submitResultWith(node1, id, a, OUTPUT_ROOT, METRICS_HASH, OUTPUT_URI);
            _expectRevertNext(err);
            _finalizeWith(stranger, id, a);
            _expectRevertNext(err);
            _cancelWith(alice, id, a);
            _expectRevertNext(err);
            _expireWith(id, a);
            _expectRevertNext(err);
            _challengeWith(alice, id, a);
        }
        _assertState(id, IAIJobManager.JobState.ResultSubmitted);
        _warpPastChallengeWindow(id);
        _finalize(id);
    }

    // ================================================================== views

    /// @notice An unknown job has no record: nothing is current for it, it never changed, and the views that
    /// take a record refuse it as unknown (the old `getJob`, `isAssigned` and `challengeContext` views are gone;
    /// `claimEnd` and `deadline` now compute from a given record and never revert).
    function testViewsOfUnknownJob() public {
        IAIJobManager.Job memory none;
        assertFalse(jobManager.isCurrent(1, none), "zero record is not current");
        assertEq(jobManager.lastChangeBlock(1), 0, "never changed");
        vm.expectRevert(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, uint64(1)));
        jobManager.jobCheckpoint(1, none);
        assertEq(jobManager.dependenciesOf(1).length, 0, "no deps for unknown job");
        // A record of another job is not current for an unknown id either.
        uint64 id = _openJob(alice);
        IAIJobManager.Job memory j = _job(id);
        assertFalse(jobManager.isCurrent(id + 1, j), "record of job 1 for job 2");
        vm.expectRevert(abi.encodeWithSelector(AIJobManager.UnknownJob.selector, id + 1));
        jobManager.jobCheckpoint(id + 1, j);
    }

    /// @notice What the proof contract used to read through `challengeContext` is in the result's record.
    function testChallengeContext() public {
        uint64 id = _resultJob(alice, node1, PRICE);
        IAIJobManager.Job memory j = _job(id);
        assertEq(j.requester, alice, "requester");
        assertEq(uint256(j.state), uint256(IAIJobManager.JobState.ResultSubmitted), "state");
        assertEq(uint256(j.resultAt) + jobManager.challengeWindow(), _now() + CHALLENGE_WINDOW, "challengeEnds");
    }

    // ================================================================== full lifecycle

    function testHappyPathTokenFlows() public {
        uint256 supplyBefore = token.totalSupply();
        uint64 id = _finalizedJob(alice, node1, PRICE);
        _withdrawBalance(node1, node1);
        _withdrawBalance(alice, alice);
        assertEq(token.balanceOf(address(jobManager)), 0, "manager empty");
        assertEq(token.balanceOf(node1), PRICE, "node earned its price");
        assertEq(token.balanceOf(alice), DEFAULT_MAX_PRICE - PRICE, "requester paid only the price");
        assertEq(token.totalSupply(), supplyBefore + DEFAULT_MAX_PRICE, "only the escrow was minted");
        assertEq(_job(id).outputRoot, OUTPUT_ROOT, "output root kept");
        assertEq(_node(node1).stake, DEFAULT_STAKE, "stake intact");
        assertEq(_node(node1).locked, 0, "nothing locked");
    }
}
