// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title INodeRegistry
/// @notice What the job manager and the proof contract need from the operator registry.
interface INodeRegistry {
    /// @notice Hardware a job needs; a node is eligible when its capabilities cover every field.
    struct Requirements {
        uint8 gpuCount;
        uint16 minVramGb;
        uint8 minCertLevel;
    }

    /// @notice Checks that `operator` is an active node meeting `req`, then locks `amount` of its free stake.
    /// @dev Reverts with the registry's specific error when the node is not eligible or lacks free stake.
    function lockBond(address operator, uint256 amount, Requirements calldata req) external;

    /// @notice Releases `amount` of `operator`'s locked stake.
    function releaseBond(address operator, uint256 amount) external;

    /// @notice Takes `amount` of `operator`'s locked bond and sends it to `to`.
    function slashBond(address operator, uint256 amount, address to) external;

    /// @notice Takes up to `amount` of `operator`'s stake that no job bond holds (unbonding stake included, so
    /// leaving does not dodge a penalty) and sends it to `to`.
    /// @return taken What was taken: less than `amount` when the node has less.
    function slashStake(address operator, uint256 amount, address to) external returns (uint256 taken);

    /// @notice Whether `operator` is an active registered node.
    function isActive(address operator) external view returns (bool);

    /// @notice Number of active nodes.
    function activeCount() external view returns (uint256);

    /// @notice The active node at `index` (< `activeCount()`).
    function activeAt(uint256 index) external view returns (address);
}
