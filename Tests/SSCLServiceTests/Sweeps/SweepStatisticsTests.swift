import Testing
@testable import SSCLService

/// Statistics against SciPy 1.17.1 (reference values computed once, the call beside each).
@Suite struct SweepStatisticsTests {
    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test func welchMatchesSciPy() {
        // scipy.stats.ttest_ind([0.81,0.83,0.82], [0.78,0.80,0.79,0.805], equal_var=False).pvalue
        #expect(Self.close(SweepStatistics.welchPValue([0.81, 0.83, 0.82], [0.78, 0.80, 0.79, 0.805]), 0.023939688731047754))
        // scipy.stats.ttest_ind([0.9012,0.8995,0.9031], [0.8990,0.9020,0.8975], equal_var=False).pvalue
        #expect(Self.close(SweepStatistics.welchPValue([0.9012, 0.8995, 0.9031], [0.8990, 0.9020, 0.8975]), 0.356038250045434))
        #expect(SweepStatistics.welchPValue([1], [1, 2]) == nil)
        #expect(SweepStatistics.welchPValue([1, 1], [1, 1]) == 1)
        #expect(SweepStatistics.welchPValue([1, 1], [2, 2]) == 0)
    }

    @Test func tDistributionAndIncompleteBetaMatchSciPy() {
        // scipy.stats.t.cdf(1.7, 3.4), scipy.stats.t.cdf(-2.5, 10)
        #expect(Self.close(SweepStatistics.studentTCDF(1.7, degreesOfFreedom: 3.4), 0.9115818449648774))
        #expect(Self.close(SweepStatistics.studentTCDF(-2.5, degreesOfFreedom: 10), 0.01572342211830441))
        // scipy.stats.t.ppf(0.975, 2), scipy.stats.t.ppf(0.975, 4)
        #expect(Self.close(SweepStatistics.studentTQuantile(0.975, degreesOfFreedom: 2), 4.302652729749462))
        #expect(Self.close(SweepStatistics.studentTQuantile(0.975, degreesOfFreedom: 4), 2.7764451051977934))
        // scipy.special.betainc(2.5, 0.5, 0.3), scipy.special.betainc(0.5, 7, 0.9)
        #expect(Self.close(SweepStatistics.regularizedIncompleteBeta(0.3, a: 2.5, b: 0.5), 0.018927124071945658))
        #expect(Self.close(SweepStatistics.regularizedIncompleteBeta(0.9, a: 0.5, b: 7), 0.9999999780702157))
    }

    @Test func summaryMatchesSciPy() throws {
        // x = numpy.array([0.81,0.83,0.82]); x.std(ddof=1); scipy.stats.t.ppf(0.975,2)*x.std(ddof=1)/numpy.sqrt(3)
        let s = try #require(SweepStatistics.summary([0.81, 0.83, 0.82]))
        #expect(s.count == 3 && Self.close(s.mean, 0.82))
        #expect(Self.close(s.std, 0.009999999999999953))
        #expect(Self.close(s.ci95, 0.024841377117503186))
        let one = try #require(SweepStatistics.summary([0.5]))
        #expect(one.std == nil && one.ci95 == nil && one.mean == 0.5)
        #expect(SweepStatistics.summary([]) == nil)
    }
}

/// The leaderboard's ranking and its marks.
@Suite struct SweepLeaderboardTests {
    @Test func ranksByMeanAndMarksWhatIsWithinNoise() {
        let board = SweepLeaderboard(values: [
            [0.78, 0.80, 0.79, 0.805],  // clearly worse than 2 (p = 0.0239, see welchMatchesSciPy)
            [],  // nothing finished
            [0.81, 0.83, 0.82],  // best
            [0.8, 0.835],  // close to the best
            [0.7],  // one seed: no test
        ], goal: .maximize)
        #expect(board.rows.map(\.configuration) == [2, 3, 0, 4, 1])
        #expect(board.rows.map(\.isBest) == [true, false, false, false, false])
        #expect(board.rows.map(\.indistinguishableFromBest) == [true, true, false, false, false])
        #expect(SweepStatisticsTests.close(board.rows[2].pValue, 0.023939688731047754))
        #expect(board.rows[0].pValue == nil && board.rows[3].pValue == nil && board.rows[4].summary == nil)
        #expect(board.rows.map(\.finished) == [3, 2, 4, 1, 0])
        let minimize = SweepLeaderboard(values: [[0.3, 0.31], [0.2, 0.21]], goal: .minimize)
        #expect(minimize.rows.map(\.configuration) == [1, 0])
    }

    /// ASHA: a pruned configuration ranks after every unpruned one even when one of its seeds
    /// finished (with the best single value here), and is neither the best nor tested.
    @Test func aPrunedConfigurationRanksLastEvenWithAFinishedSeed() {
        typealias S = SweepLeaderboard.RungStanding
        let board = SweepLeaderboard(values: [
            [0.95],  // one seed finished before its configuration was pruned at rung 0
            [0.80, 0.82],  // promoted, both finished
            [],  // promoted at rung 1, still running
            [],  // pruned at rung 1
            [],  // pruned at rung 0 with a higher mean than 0's
        ], goal: .maximize, standings: [
            0: S(rung: 0, value: 0.5, pruned: true), 1: S(rung: 1, value: 0.7, pruned: false),
            2: S(rung: 1, value: 0.6, pruned: false), 3: S(rung: 1, value: 0.4, pruned: true),
            4: S(rung: 0, value: 0.55, pruned: true),
        ], prunedSeeds: [0: 1, 3: 2, 4: 2])
        #expect(board.rows.map(\.configuration) == [1, 2, 3, 4, 0])
        #expect(board.rows.map(\.isBest) == [true, false, false, false, false])
        #expect(board.rows.allSatisfy { $0.pValue == nil })
        #expect(board.rows.last?.finished == 1 && board.rows.last?.prunedSeeds == 1)
    }
}
