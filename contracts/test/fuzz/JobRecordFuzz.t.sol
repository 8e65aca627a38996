// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AIJobManager} from "../../AIJobManager.sol";
import {IAIJobManager} from "../../interfaces/IAIJobManager.sol";
import {ArthaFixture} from "../utils/ArthaFixture.sol";

/// @notice Fuzz tests of the job-record check at the calldata level: whatever bits of a job record a caller
/// changes, including bits a typed ABI encoder never produces (dirty high bits of small fields, enum values out
/// of range), every job manager function that takes the record refuses it with StaleJobRecord before anything
/// else. (ProofOfCompute's challenge and resolveUnverified re-encode the record before forwarding it, so a
/// non-canonical record fails there with an empty revert: see Bugs.t.sol.)
/// @dev Raw calls on purpose: the point is the tampered calldata. Each of these functions takes
/// `(uint64 jobId, Job current, ...)`, so the record's 19 words start right after the job id.
contract JobRecordFuzzTest is ArthaFixture {
    uint256 internal constant RECORD_WORDS = 19;

    function setUp() public override {
        super.setUp();
        _seedModels();
        _registerNode(node1);
    }

    /// @notice A record with any bits of any one of its words flipped is refused by cancel, claim,
    /// submitResult, finalize, expire and jobCheckpoint, in any state.
    function testFuzzAlteredRecordIsStale(uint8 stateSeed, uint8 fnSeed, uint256 wordSeed, uint256 xorSeed)
        public
    {
        IAIJobManager.JobState[5] memory states = [
            IAIJobManager.JobState.Open,
            IAIJobManager.JobState.Claimed,
            IAIJobManager.JobState.ResultSubmitted,
            IAIJobManager.JobState.Finalized,
            IAIJobManager.JobState.Cancelled
        ];
        uint64 id = _jobIn(states[stateSeed % states.length], alice, node1, 1e6);
        IAIJobManager.Job memory current = _job(id);

        (address target, address caller, bytes memory data) = _call(fnSeed % 6, id, current);
        uint256 word = bound(wordSeed, 0, RECORD_WORDS - 1);
        uint256 flip = xorSeed == 0 ? 1 : xorSeed;
        uint256 offset = 4 + 32 + 32 * word; // selector, job id, then the record's words
        assembly ("memory-safe") {
            let p := add(add(data, 32), offset)
            mstore(p, xor(mload(p), flip))
        }

        vm.prank(caller);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = target.call(data);
        assertFalse(ok, "altered record accepted");
        assertEq(
            ret,
            abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, jobManager.lastChangeBlock(id)),
            "StaleJobRecord"
        );
        assertTrue(jobManager.isCurrent(id, current), "the job's record is unchanged");
    }

    /// @notice The untouched record goes past the record check (control for the test above): the same calls,
    /// and the proof contract's challenge, either succeed or fail with another error, never StaleJobRecord.
    function testFuzzCurrentRecordIsNotStale(uint8 stateSeed, uint8 fnSeed) public {
        IAIJobManager.JobState[5] memory states = [
            IAIJobManager.JobState.Open,
            IAIJobManager.JobState.Claimed,
            IAIJobManager.JobState.ResultSubmitted,
            IAIJobManager.JobState.Finalized,
            IAIJobManager.JobState.Cancelled
        ];
        uint64 id = _jobIn(states[stateSeed % states.length], alice, node1, 1e6);
        (address target, address caller, bytes memory data) = _call(fnSeed % 7, id, _job(id));
        vm.prank(caller);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) assertTrue(bytes4(ret) != AIJobManager.StaleJobRecord.selector, "current record taken for stale");
    }

    /// @dev Calldata of record-taking function `fn` for `jobId` with `record`, and who would call it.
    function _call(uint256 fn, uint64 jobId, IAIJobManager.Job memory record)
        internal
        view
        returns (address target, address caller, bytes memory data)
    {
        target = address(jobManager);
        caller = record.requester;
        if (fn == 0) {
            data = abi.encodeCall(jobManager.cancel, (jobId, record));
        } else if (fn == 1) {
            caller = node1;
            data = abi.encodeCall(jobManager.claim, (jobId, record, 1, new IAIJobManager.Job[](0)));
        } else if (fn == 2) {
            caller = node1;
            data = abi.encodeCall(
                jobManager.submitResult, (jobId, record, OUTPUT_ROOT, METRICS_HASH, OUTPUT_URI)
            );
        } else if (fn == 3) {
            data = abi.encodeCall(jobManager.finalize, (jobId, record));
        } else if (fn == 4) {
            data = abi.encodeCall(jobManager.expire, (jobId, record));
        } else if (fn == 5) {
            data = abi.encodeCall(jobManager.jobCheckpoint, (jobId, record));
        } else {
            target = address(proofOfCompute);
            data = abi.encodeCall(proofOfCompute.challenge, (jobId, record));
        }
    }
}
