// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AIJobManager} from "../AIJobManager.sol";
import {IAIJobManager} from "../interfaces/IAIJobManager.sol";
import {ArthaFixture} from "./utils/ArthaFixture.sol";

/// @notice Regression tests: ProofOfCompute forwards a job record to the job manager as raw bytes, so a tampered
/// record (even one no ABI encoder produces) is refused with StaleJobRecord, not an empty revert.
contract ProofOfComputeRecordsTest is ArthaFixture {
    function setUp() public override {
        super.setUp();
        _seedModels();
        _registerNode(node1);
    }

    /// @notice LOW (bad input without a specific error): the job manager checks a record against its hash over
    /// the raw calldata, so any altered record, canonical or not, fails with StaleJobRecord. ProofOfCompute's
    /// `challenge` and `resolveUnverified` instead pass their `Job calldata current` on to `onDisputed` /
    /// `onDisputeUnresolved`, and Solidity re-encodes a calldata struct with validation: a record whose enum word
    /// is out of range or whose small fields carry dirty high bits makes the proof contract revert with empty
    /// data before the manager sees it. Fix: forward the record's raw calldata bytes
    /// (`msg.data[36:36 + 19 * 32]`) to the manager, or check the record in ProofOfCompute the way the manager
    /// does, so the caller gets StaleJobRecord like everywhere else.
    function testChallengeRefusesNonCanonicalRecordWithStaleJobRecord() public {
        uint64 id = _resultJob(alice, node1, 1e6);
        _fundChallenger(alice);
        bytes memory data = abi.encodeCall(proofOfCompute.challenge, (id, _job(id)));
        _setRecordWord(data, 2, 9); // `state` := 9, outside JobState
        vm.prank(alice);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = address(proofOfCompute).call(data);
        assertFalse(ok, "non-canonical record accepted");
        assertEq(ret, _stale(id), "challenge: StaleJobRecord");
    }

    /// @notice Same as above for `resolveUnverified`, with dirty high bits in the record's `requester` word.
    function testResolveRefusesNonCanonicalRecordWithStaleJobRecord() public {
        uint64 id = _disputedJob(alice, node1, 1e6);
        _warpPastDisputeTimeout(id);
        IAIJobManager.Job memory current = _job(id);
        bytes memory data = abi.encodeCall(proofOfCompute.resolveUnverified, (id, current));
        _setRecordWord(data, 0, uint256(uint160(current.requester)) | (uint256(1) << 200));
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = address(proofOfCompute).call(data);
        assertFalse(ok, "non-canonical record accepted");
        assertEq(ret, _stale(id), "resolveUnverified: StaleJobRecord");
    }

    /// @dev Overwrites word `word` of the record in calldata `(uint64 jobId, Job record, ...)`.
    function _setRecordWord(bytes memory data, uint256 word, uint256 value) internal pure {
        uint256 offset = 4 + 32 + 32 * word;
        assembly ("memory-safe") {
            mstore(add(add(data, 32), offset), value)
        }
    }

    function _stale(uint64 id) internal view returns (bytes memory) {
        return abi.encodeWithSelector(AIJobManager.StaleJobRecord.selector, id, jobManager.lastChangeBlock(id));
    }
}
