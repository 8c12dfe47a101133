import Foundation
import Testing
@testable import SSCLStore

@Suite struct MigratorLocateTests {
    let directory = TemporaryDirectory()

    @Test func theEnvironmentWins() {
        let found = Migrator.locateMigrations(environment: ["SSCL_MIGRATIONS": "/opt/m"], startingPoints: [directory.url])
        #expect(found?.path == "/opt/m")
    }

    @Test func walksUpFromTheStartingPoints() throws {
        let migrations = directory.file("repo/migrations")
        let deep = directory.file("repo/.build/x86_64-unknown-linux-gnu/debug")
        try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        #expect(Migrator.locateMigrations(environment: [:], startingPoints: [deep]) == nil)
        try "SELECT 1;".write(to: migrations.appendingPathComponent("0001_create_job.sql"), atomically: true, encoding: .utf8)
        let found = Migrator.locateMigrations(environment: [:], startingPoints: [directory.file("elsewhere"), deep])
        #expect(found?.standardizedFileURL.path == migrations.standardizedFileURL.path)
    }

    @Test func findsThisPackagesFolderFromTheTestBinary() {
        #expect(Migrator.locateMigrations()?.standardizedFileURL.path == JobStore.repositoryMigrations.standardizedFileURL.path)
    }
}
