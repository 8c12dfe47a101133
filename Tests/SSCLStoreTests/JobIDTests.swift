import Foundation
import Testing
@testable import SSCLStore

@Suite struct JobIDTests {
    @Test func hasPrefixAndThirteenBase32Characters() {
        let id = JobID.next(at: Date(), after: nil)
        #expect(id.hasPrefix("job_"))
        #expect(id.count == 17)
        #expect(JobID.isValid(id))
        #expect(!JobID.isValid("job_0123456789ab"))
        #expect(!JobID.isValid("job_0123456789abu"))
    }

    @Test func sortsByTime() {
        let early = JobID.next(at: Date(timeIntervalSince1970: 1_700_000_000), after: nil)
        let late = JobID.next(at: Date(timeIntervalSince1970: 1_700_000_000.002), after: nil)
        #expect(early < late)
    }

    @Test func strictlyIncreasesWithinOneMillisecondAndWhenTheClockStepsBack() {
        let now = Date()
        var previous: String?
        var ids: [String] = []
        for i in 0..<500 {
            let time = i == 250 ? now.addingTimeInterval(-60) : now
            let id = JobID.next(at: time, after: previous)
            if let previous { #expect(id > previous) }
            ids.append(id)
            previous = id
        }
        #expect(Set(ids).count == 500)
        #expect(ids.allSatisfy(JobID.isValid))
    }

    @Test func carriesWhenIncrementing() {
        let id = JobID.next(at: Date(timeIntervalSince1970: 0), after: "job_00000000zzzzz")
        #expect(id == "job_0000000100000")
    }
}
