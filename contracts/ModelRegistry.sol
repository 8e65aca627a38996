// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Datasets, models and checkpoints, content-addressed, with lineage by pointers: model -> parent
/// model and training datasets; checkpoint -> model. The output of a finalized train job is a checkpoint
/// too, read at `AIJobManager.jobCheckpoint(jobId)` (job -> model, dataset, node, output root) rather than
/// copied here, which would cost a finalize ~60k gas for data the chain already holds.
contract ModelRegistry is IModelRegistry {
    /// @notice Upper bound on a model's training datasets, to keep reads and writes bounded.
    uint256 public constant MAX_MODEL_DATASETS = 32;

    struct Dataset {
        bytes32 contentHash;
        address owner;
        uint64 size;
        uint32 policyFlags;
        string uri;
        string license;
    }

    struct Model {
        bytes32 contentHash;
        address owner;
        uint32 parentId;
        bool published;
        string uri;
        string name;
        string license;
        uint32[] datasetIds;
    }

    /// @notice What a model registration declares.
    struct ModelInput {
        bytes32 contentHash;
        string uri;
        string name;
        string license;
        uint32 parentId;
        uint32[] datasetIds;
    }

    /// @notice A checkpoint its model's owner added; `jobId` is reserved for checkpoints imported from jobs
    /// and is 0 here (job outputs are read at `AIJobManager.jobCheckpoint`).
    struct Checkpoint {
        bytes32 contentHash;
        uint32 modelId;
        uint64 jobId;
        uint64 step;
        string uri;
    }

    uint32 public datasetCount;
    uint32 public modelCount;
    uint32 public checkpointCount;

    mapping(uint32 id => Dataset) private _datasets;
    mapping(uint32 id => Model) private _models;
    mapping(uint32 id => Checkpoint) private _checkpoints;

    event DatasetRegistered(
        uint32 indexed datasetId,
        address indexed owner,
        bytes32 contentHash,
        string uri,
        uint64 size,
        string license,
        uint32 policyFlags
    );
    event ModelRegistered(
        uint32 indexed modelId,
        address indexed owner,
        uint32 indexed parentId,
        bytes32 contentHash,
        string uri,
        string name,
        string license,
        uint32[] datasetIds
    );
    event ModelPublished(uint32 indexed modelId, address indexed owner);
    event CheckpointAdded(
        uint32 indexed checkpointId,
        uint32 indexed modelId,
        uint64 indexed jobId,
        bytes32 contentHash,
        string uri,
        uint64 step
    );

    error ZeroContentHash();
    error EmptyUri();
    error EmptyName();
    error ZeroSize();
    error UnknownDataset(uint32 datasetId);
    error UnknownModel(uint32 modelId);
    error NotModelOwner(uint32 modelId, address caller, address owner);
    error AlreadyPublished(uint32 modelId);
    error TooManyDatasets(uint256 count, uint256 max);
    error UnknownCheckpoint(uint32 checkpointId);

    /// @notice Registers a dataset owned by the caller.
    /// @param contentHash sha256 (or output root) of the dataset's content, checked by nodes before use.
    /// @param uri Where to fetch it (file://, https://, ipfs://).
    /// @param size Size in bytes.
    /// @param license SPDX id or license URI; operators filter on it.
    /// @param policyFlags Usage flags operators' policies read (see docs/contracts.md).
    /// @return datasetId The new dataset's id (from 1).
    function registerDataset(
        bytes32 contentHash,
        string calldata uri,
        uint64 size,
        string calldata license,
        uint32 policyFlags
    ) external returns (uint32 datasetId) {
        if (contentHash == bytes32(0)) revert ZeroContentHash();
        if (bytes(uri).length == 0) revert EmptyUri();
        if (size == 0) revert ZeroSize();
        datasetId = ++datasetCount;
        _datasets[datasetId] = Dataset(contentHash, msg.sender, size, policyFlags, uri, license);
        emit DatasetRegistered(datasetId, msg.sender, contentHash, uri, size, license, policyFlags);
    }

    /// @notice Registers a model owned by the caller, with its parent and training datasets as lineage.
    /// @param input Content hash, URI, name, license, parent model (0 for none), training dataset ids.
    /// @return modelId The new model's id (from 1).
    function registerModel(ModelInput calldata input) external returns (uint32 modelId) {
        if (input.contentHash == bytes32(0)) revert ZeroContentHash();
        if (bytes(input.uri).length == 0) revert EmptyUri();
        if (bytes(input.name).length == 0) revert EmptyName();
        if (input.parentId != 0 && input.parentId > modelCount) revert UnknownModel(input.parentId);
        uint256 n = input.datasetIds.length;
        if (n > MAX_MODEL_DATASETS) revert TooManyDatasets(n, MAX_MODEL_DATASETS);
        uint32 datasets = datasetCount;
        for (uint256 i; i < n; ++i) {
            uint32 d = input.datasetIds[i];
            if (d == 0 || d > datasets) revert UnknownDataset(d);
        }
        modelId = ++modelCount;
        Model storage m = _models[modelId];
        m.contentHash = input.contentHash;
        m.owner = msg.sender;
        m.parentId = input.parentId;
        m.uri = input.uri;
        m.name = input.name;
        m.license = input.license;
        m.datasetIds = input.datasetIds;
        emit ModelRegistered(
            modelId,
            msg.sender,
            input.parentId,
            input.contentHash,
            input.uri,
            input.name,
            input.license,
            input.datasetIds
        );
    }

    /// @notice Marks the caller's model as published (visible for others to build on); irreversible.
    /// @param modelId A model the caller owns.
    function publish(uint32 modelId) external {
        Model storage m = _ownedModel(modelId);
        if (m.published) revert AlreadyPublished(modelId);
        m.published = true;
        emit ModelPublished(modelId, msg.sender);
    }

    /// @notice Adds a checkpoint to the caller's model.
    /// @param modelId A model the caller owns.
    /// @param contentHash Content hash of the checkpoint files.
    /// @param uri Where to fetch them.
    /// @param step Training step the checkpoint was taken at.
    /// @return checkpointId The new checkpoint's id (from 1).
    function addCheckpoint(uint32 modelId, bytes32 contentHash, string calldata uri, uint64 step)
        external
        returns (uint32 checkpointId)
    {
        _ownedModel(modelId);
        if (contentHash == bytes32(0)) revert ZeroContentHash();
        if (bytes(uri).length == 0) revert EmptyUri();
        checkpointId = ++checkpointCount;
        _checkpoints[checkpointId] = Checkpoint(contentHash, modelId, 0, step, uri);
        emit CheckpointAdded(checkpointId, modelId, 0, contentHash, uri, step);
    }

    /// @inheritdoc IModelRegistry
    function requireExists(uint32 modelId, uint32 datasetId) external view {
        if (modelId > modelCount) revert UnknownModel(modelId);
        if (datasetId > datasetCount) revert UnknownDataset(datasetId);
    }

    /// @notice A dataset by id; reverts for an unknown id.
    function getDataset(uint32 datasetId) external view returns (Dataset memory) {
        if (datasetId == 0 || datasetId > datasetCount) revert UnknownDataset(datasetId);
        return _datasets[datasetId];
    }

    /// @notice A model by id, with its lineage pointers (parent, training datasets); reverts for an unknown id.
    function getModel(uint32 modelId) external view returns (Model memory) {
        if (modelId == 0 || modelId > modelCount) revert UnknownModel(modelId);
        return _models[modelId];
    }

    /// @notice A checkpoint by id, with its model and producing job; reverts for an unknown id.
    function getCheckpoint(uint32 checkpointId) external view returns (Checkpoint memory) {
        Checkpoint memory c = _checkpoints[checkpointId];
        if (c.modelId == 0) revert UnknownCheckpoint(checkpointId);
        return c;
    }

    function _ownedModel(uint32 modelId) private view returns (Model storage m) {
        if (modelId == 0 || modelId > modelCount) revert UnknownModel(modelId);
        m = _models[modelId];
        if (m.owner != msg.sender) revert NotModelOwner(modelId, msg.sender, m.owner);
    }
}
