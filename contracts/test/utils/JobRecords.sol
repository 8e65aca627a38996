// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AIJobManager} from "../../AIJobManager.sol";
import {IAIJobManager} from "../../interfaces/IAIJobManager.sol";
import {Vm} from "./Vm.sol";

/// @title JobRecords
/// @notice Reads job records back from the job manager's events, as an off-chain reader does: every event that
/// changes a job carries the new record as its last field `job`. The record sits at a different place in each
/// event's data, so each event type is decoded by its own layout.
library JobRecords {
    /// @notice The job record carried by `log` when it is a job event of `manager`.
    /// @return found Whether `log` is one of the manager's events that carry a record.
    /// @return jobId The job (topic 1).
    /// @return job The job's record after the change the event reports.
    function decode(Vm.Log memory log, address manager)
        internal
        pure
        returns (bool found, uint64 jobId, IAIJobManager.Job memory job)
    {
        if (log.emitter != manager || log.topics.length < 2) return (false, 0, job);
        bytes32 sig = log.topics[0];
        if (sig == AIJobManager.JobSubmitted.selector) {
            (,,,, job) = abi.decode(log.data, (bytes32, bytes32, string, uint64[], IAIJobManager.Job));
        } else if (
            sig == AIJobManager.JobClaimed.selector || sig == AIJobManager.JobReopened.selector
                || sig == AIJobManager.JobDisputed.selector
        ) {
            job = abi.decode(log.data, (IAIJobManager.Job));
        } else if (sig == AIJobManager.ResultSubmitted.selector) {
            (,, job) = abi.decode(log.data, (bytes32, string, IAIJobManager.Job));
        } else if (
            sig == AIJobManager.JobFinalized.selector || sig == AIJobManager.JobExpired.selector
                || sig == AIJobManager.JobRefunded.selector
        ) {
            (, job) = abi.decode(log.data, (uint96, IAIJobManager.Job));
        } else if (sig == AIJobManager.JobVerified.selector) {
            (,,,, job) = abi.decode(log.data, (bool, uint256, address[], uint256[], IAIJobManager.Job));
        } else if (sig == AIJobManager.JobCancelled.selector) {
            (,, job) = abi.decode(log.data, (uint96, uint96, IAIJobManager.Job));
        } else {
            return (false, 0, job);
        }
        return (true, uint64(uint256(log.topics[1])), job);
    }
}
