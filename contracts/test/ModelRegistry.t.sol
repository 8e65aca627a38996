// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ModelRegistry} from "../ModelRegistry.sol";
import {ArthaFixture} from "./utils/ArthaFixture.sol";

/// @notice Unit tests for ModelRegistry: datasets, models, checkpoints, lineage pointers and every custom error.
contract ModelRegistryTest is ArthaFixture {
    // ------------------------------------------------------------------ datasets

    function testRegisterDataset() public {
        bytes32 h = keccak256("imagenet-mini");
        _recordLogs();
        uint32 id = _registerDatasetRaw(alice, h, "ipfs://bafyimagenet", 12_345, "CC-BY-4.0", 7);
        assertEq(id, 1, "first id");
        _assertLog(
            _findLog(_logs(), address(modelRegistry), ModelRegistry.DatasetRegistered.selector),
            _topics(_t(uint256(1)), _t(alice)),
            abi.encode(h, "ipfs://bafyimagenet", uint64(12_345), "CC-BY-4.0", uint32(7))
        );
        ModelRegistry.Dataset memory d = modelRegistry.getDataset(1);
        assertEq(d.contentHash, h, "hash");
        assertEq(d.owner, alice, "owner");
        assertEq(d.size, 12_345, "size");
        assertEq(d.policyFlags, 7, "flags");
        assertEq(d.uri, "ipfs://bafyimagenet", "uri");
        assertEq(d.license, "CC-BY-4.0", "license");
        assertEq(modelRegistry.datasetCount(), 1, "count");
        assertEq(_registerDataset(bob), 2, "second id");
        assertEq(modelRegistry.getDataset(2).owner, bob, "second owner");
    }

    function testRegisterDatasetEmptyLicenseAllowed() public {
        uint32 id = _registerDatasetRaw(alice, keccak256("d"), "file:///data", 1, "", 0);
        assertEq(modelRegistry.getDataset(id).license, "", "license");
    }

    function testRegisterDatasetRevertsZeroContentHash() public {
        _expectRevertNext(ModelRegistry.ZeroContentHash.selector);
        _registerDatasetRaw(alice, bytes32(0), "ipfs://x", 1, "MIT", 0);
    }

    function testRegisterDatasetRevertsEmptyUri() public {
        _expectRevertNext(ModelRegistry.EmptyUri.selector);
        _registerDatasetRaw(alice, keccak256("d"), "", 1, "MIT", 0);
    }

    function testRegisterDatasetRevertsZeroSize() public {
        _expectRevertNext(ModelRegistry.ZeroSize.selector);
        _registerDatasetRaw(alice, keccak256("d"), "ipfs://x", 0, "MIT", 0);
    }

    function testGetDatasetRevertsUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownDataset.selector, uint32(0)));
        modelRegistry.getDataset(0);
        _registerDataset(alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownDataset.selector, uint32(2)));
        modelRegistry.getDataset(2);
    }

    // ------------------------------------------------------------------ models

    function testRegisterModelWithLineage() public {
        _registerDataset(alice);
        _registerDataset(alice);
        uint32 base = _registerModel(alice);
        uint32[] memory ds = new uint32[](2);
        ds[0] = 1;
        ds[1] = 2;
        ModelRegistry.ModelInput memory input = _modelInput(base, ds);
        input.name = "tiny-mlp-ft";
        _recordLogs();
        uint32 id = _registerModelRaw(bob, input);
        assertEq(id, 2, "id");
        _assertLog(
            _findLog(_logs(), address(modelRegistry), ModelRegistry.ModelRegistered.selector),
            _topics(_t(uint256(2)), _t(bob), _t(uint256(base))),
            abi.encode(input.contentHash, input.uri, input.name, input.license, ds)
        );
        ModelRegistry.Model memory m = modelRegistry.getModel(id);
        assertEq(m.contentHash, input.contentHash, "hash");
        assertEq(m.owner, bob, "owner");
        assertEq(m.parentId, base, "parent");
        assertFalse(m.published, "not published");
        assertEq(m.uri, input.uri, "uri");
        assertEq(m.name, "tiny-mlp-ft", "name");
        assertEq(m.license, input.license, "license");
        assertEq(m.datasetIds.length, 2, "datasets");
        assertEq(m.datasetIds[0], 1, "dataset 0");
        assertEq(m.datasetIds[1], 2, "dataset 1");
        assertEq(modelRegistry.modelCount(), 2, "count");
    }

    function testRegisterModelWithMaxDatasets() public {
        _registerDataset(alice);
        uint32[] memory ds = new uint32[](32);
        for (uint256 i; i < 32; ++i) {
            ds[i] = 1;
        }
        uint32 id = _registerModelRaw(alice, _modelInput(0, ds));
        assertEq(modelRegistry.getModel(id).datasetIds.length, 32, "32 datasets");
    }

    function testRegisterModelRevertsZeroContentHash() public {
        ModelRegistry.ModelInput memory input = _modelInput(0, new uint32[](0));
        input.contentHash = bytes32(0);
        _expectRevertNext(ModelRegistry.ZeroContentHash.selector);
        _registerModelRaw(alice, input);
    }

    function testRegisterModelRevertsEmptyUri() public {
        ModelRegistry.ModelInput memory input = _modelInput(0, new uint32[](0));
        input.uri = "";
        _expectRevertNext(ModelRegistry.EmptyUri.selector);
        _registerModelRaw(alice, input);
    }

    function testRegisterModelRevertsEmptyName() public {
        ModelRegistry.ModelInput memory input = _modelInput(0, new uint32[](0));
        input.name = "";
        _expectRevertNext(ModelRegistry.EmptyName.selector);
        _registerModelRaw(alice, input);
    }

    function testRegisterModelRevertsUnknownParent() public {
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(1)));
        _registerModelRaw(alice, _modelInput(1, new uint32[](0)));
        _registerModel(alice);
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(5)));
        _registerModelRaw(alice, _modelInput(5, new uint32[](0)));
    }

    function testRegisterModelRevertsTooManyDatasets() public {
        _registerDataset(alice);
        uint32[] memory ds = new uint32[](33);
        for (uint256 i; i < 33; ++i) {
            ds[i] = 1;
        }
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.TooManyDatasets.selector, uint256(33), uint256(32)));
        _registerModelRaw(alice, _modelInput(0, ds));
    }

    function testRegisterModelRevertsUnknownDataset() public {
        _registerDataset(alice);
        uint32[] memory ds = new uint32[](2);
        ds[0] = 1;
        ds[1] = 2;
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownDataset.selector, uint32(2)));
        _registerModelRaw(alice, _modelInput(0, ds));
        ds[1] = 0;
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownDataset.selector, uint32(0)));
        _registerModelRaw(alice, _modelInput(0, ds));
    }

    function testGetModelRevertsUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(0)));
        modelRegistry.getModel(0);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(1)));
        modelRegistry.getModel(1);
    }

    // ------------------------------------------------------------------ publish

    function testPublish() public {
        uint32 id = _registerModel(alice);
        _recordLogs();
        _publish(alice, id);
        _assertLog(
            _findLog(_logs(), address(modelRegistry), ModelRegistry.ModelPublished.selector),
            _topics(_t(uint256(id)), _t(alice)),
            ""
        );
        assertTrue(modelRegistry.getModel(id).published, "published");
    }

    function testPublishRevertsUnknownModel() public {
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(0)));
        _publish(alice, 0);
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(1)));
        _publish(alice, 1);
    }

    function testPublishRevertsNotOwner() public {
        uint32 id = _registerModel(alice);
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, id, bob, alice));
        _publish(bob, id);
    }

    function testPublishRevertsAlreadyPublished() public {
        uint32 id = _registerModel(alice);
        _publish(alice, id);
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.AlreadyPublished.selector, id));
        _publish(alice, id);
    }

    // ------------------------------------------------------------------ checkpoints

    function testAddCheckpoint() public {
        uint32 modelId = _registerModel(alice);
        bytes32 h = keccak256("ckpt-100");
        _recordLogs();
        uint32 id = _addCheckpoint(alice, modelId, h, "ipfs://bafyckpt", 100);
        assertEq(id, 1, "id");
        _assertLog(
            _findLog(_logs(), address(modelRegistry), ModelRegistry.CheckpointAdded.selector),
            _topics(_t(uint256(1)), _t(uint256(modelId)), _t(uint256(0))),
            abi.encode(h, "ipfs://bafyckpt", uint64(100))
        );
        ModelRegistry.Checkpoint memory c = modelRegistry.getCheckpoint(id);
        assertEq(c.contentHash, h, "hash");
        assertEq(c.modelId, modelId, "model");
        assertEq(c.jobId, 0, "job");
        assertEq(c.step, 100, "step");
        assertEq(c.uri, "ipfs://bafyckpt", "uri");
        assertEq(modelRegistry.checkpointCount(), 1, "count");
    }

    function testAddCheckpointRevertsUnknownModel() public {
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(3)));
        _addCheckpoint(alice, 3, keccak256("c"), "ipfs://c", 1);
    }

    function testAddCheckpointRevertsNotOwner() public {
        uint32 modelId = _registerModel(alice);
        _expectRevertNext(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, modelId, bob, alice));
        _addCheckpoint(bob, modelId, keccak256("c"), "ipfs://c", 1);
    }

    function testAddCheckpointRevertsZeroContentHash() public {
        uint32 modelId = _registerModel(alice);
        _expectRevertNext(ModelRegistry.ZeroContentHash.selector);
        _addCheckpoint(alice, modelId, bytes32(0), "ipfs://c", 1);
    }

    function testAddCheckpointRevertsEmptyUri() public {
        uint32 modelId = _registerModel(alice);
        _expectRevertNext(ModelRegistry.EmptyUri.selector);
        _addCheckpoint(alice, modelId, keccak256("c"), "", 1);
    }

    function testGetCheckpointRevertsUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownCheckpoint.selector, uint32(1)));
        modelRegistry.getCheckpoint(1);
    }

    // ------------------------------------------------------------------ requireExists

    function testRequireExists() public {
        modelRegistry.requireExists(0, 0);
        _registerDataset(alice);
        _registerModel(alice);
        modelRegistry.requireExists(1, 0);
        modelRegistry.requireExists(0, 1);
        modelRegistry.requireExists(1, 1);
    }

    function testRequireExistsRevertsUnknown() public {
        _registerDataset(alice);
        _registerModel(alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, uint32(2)));
        modelRegistry.requireExists(2, 1);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownDataset.selector, uint32(2)));
        modelRegistry.requireExists(1, 2);
    }

    function testMaxModelDatasetsConstant() public view {
        assertEq(modelRegistry.MAX_MODEL_DATASETS(), 32, "MAX_MODEL_DATASETS");
    }
}
