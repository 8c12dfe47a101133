/// Why an inference request cannot be answered; `APIRouter+Inference` maps each to a status.
enum InferenceError: Error, Equatable {
    /// The job has neither `model.safetensors` nor a checkpoint yet (409).
    case noModel(job: String)
    /// `GET /items/{index}` of a row the split does not have (404: a path, not a field).
    case noItem(index: Int, split: String, count: Int)
    /// A field of the request is wrong (422): its path (`inputs[2]`, `k`) and the reason.
    case invalidInput(field: String, reason: String)
    /// `--max-inference-requests` requests are already running or waiting (503).
    case busy(requests: Int)
    /// The job's data or weights could not be read (409: the job's files, not the request).
    case unavailable(String)
}
