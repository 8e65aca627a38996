// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IModelRegistry
/// @notice What the job manager needs from the dataset/model registry.
interface IModelRegistry {
    /// @notice Reverts unless `modelId` (when non-zero) and `datasetId` (when non-zero) exist.
    function requireExists(uint32 modelId, uint32 datasetId) external view;
}
