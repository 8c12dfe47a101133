import Foundation
import Testing
@testable import SSCLService

@Suite struct WorkerMessageTests {
    @Test func parsesStarted() {
        let line = #"{"pid":31581,"resumed":true,"steps_per_epoch":4,"test_count":200,"total_steps":8,"train_count":128,"type":"started"}"#
        #expect(WorkerMessage.parse(line: line) == .started(pid: 31581, totalSteps: 8, stepsPerEpoch: 4, resumed: true))
    }

    @Test func parsesStepWithNullsAsNaN() throws {
        let line = #"{"elapsed_s":0.06,"epoch":1,"epochs":2,"images_per_s":1480.5,"loss":4.23847,"lr":0.025,"step":1,"steps":8,"time":"2026-11-27T15:45:26.348Z","type":"step"}"#
        #expect(WorkerMessage.parse(line: line) == .step(epoch: 1, epochs: 2, step: 1, steps: 8, loss: 4.23847, lr: 0.025,
                                                        imagesPerSecond: 1480.5, elapsedSeconds: 0.06))
        let nulls = #"{"epoch":1,"epochs":2,"step":3,"steps":8,"loss":null,"lr":0.1,"type":"step"}"#
        guard case let .step(_, _, step, _, loss, lr, ips, elapsed) = try #require(WorkerMessage.parse(line: nulls)) else {
            Issue.record("not a step"); return
        }
        #expect(step == 3 && lr == 0.1)
        #expect(loss.isNaN && ips.isNaN && elapsed.isNaN)
    }

    @Test func parsesEvaluationCheckpointLogStoppedError() {
        let eval = #"{"alignment":0.0985,"epoch":1,"knn_accuracy":0.52,"linear_accuracy":null,"step":4,"type":"eval","uniformity":-0.79}"#
        #expect(WorkerMessage.parse(line: eval) == .evaluation(epoch: 1, step: 4, knnAccuracy: 0.52, linearAccuracy: nil,
                                                              alignment: 0.0985, uniformity: -0.79))
        let withLinear = #"{"alignment":1,"epoch":2,"knn_accuracy":0.5,"linear_accuracy":0.61,"step":8,"type":"eval","uniformity":-1}"#
        #expect(WorkerMessage.parse(line: withLinear) == .evaluation(epoch: 2, step: 8, knnAccuracy: 0.5, linearAccuracy: 0.61,
                                                                    alignment: 1, uniformity: -1))
        #expect(WorkerMessage.parse(line: #"{"epoch":1,"step":4,"time":"x","type":"checkpoint"}"#) == .checkpoint(epoch: 1, step: 4))
        #expect(WorkerMessage.parse(line: #"{"message":"baseline: kNN \/ 0.5 ✓","type":"log"}"#) == .log("baseline: kNN / 0.5 ✓"))
        #expect(WorkerMessage.parse(line: #"{"epoch":0,"step":3,"type":"stopped"}"#) == .stopped(epoch: 0, step: 3))
        #expect(WorkerMessage.parse(line: #"{"code":"invalid_job","message":"dataset: required","type":"error"}"#)
                == .error(code: "invalid_job", message: "dataset: required"))
    }

    @Test func keepsTheResultObjectsBytes() throws {
        let object = #"{"alignment":0.09536615123985703,"knn_accuracy":0.53,"linear_accuracy":0.1,"steps":8}"#
        let message = WorkerMessage.parse(line: #"{"type":"result","result":"# + object + "}")
        #expect(message == .result(json: Data(object.utf8)))
        // Another key order still yields the object, re-encoded.
        guard case let .result(json) = try #require(WorkerMessage.parse(line: #"{"result":{"steps":8},"type":"result"}"#)) else {
            Issue.record("not a result"); return
        }
        let decoded = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        #expect(decoded?["steps"] as? Int == 8)
    }

    @Test(arguments: [
        "", " ", "{", "}", "null", "[1,2]", "42", "\"started\"", "not json at all", "{}",
        #"{"type":42}"#, #"{"type":"launch"}"#, #"{"type":"step"}"#,
        #"{"type":"step","epoch":"1","epochs":2,"step":1,"steps":8}"#,
        #"{"type":"started","pid":99999999999,"resumed":false,"total_steps":8,"steps_per_epoch":4}"#,
        #"{"type":"started","pid":1,"resumed":"no","total_steps":8,"steps_per_epoch":4}"#,
        #"{"type":"result","result":[1]}"#, #"{"type":"result"}"#, #"{"type":"error","message":"no code"}"#,
        #"{"type":"checkpoint","epoch":1.5,"step":2}"#, #"{"type":"log","message":7}"#,
        "{\"type\":\"log\",\"message\":\"\u{0}\"", String(repeating: "{", count: 10_000),
        String(repeating: "[", count: 100_000), "\u{FFFD}\u{FFFD}{\"type\"", "{\"type\":\"step\",\"epoch\":1e400}",
    ])
    func rejectsGarbage(line: String) {
        #expect(WorkerMessage.parse(line: line) == nil)
    }
}
