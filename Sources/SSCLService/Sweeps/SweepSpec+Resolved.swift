import SSCLEngine

/// The sweep as stored next to the submitted document: its configurations with their values,
/// so reading a sweep never re-runs the expansion (a later version may expand differently).
extension SweepSpec {
    public func resolvedJSON(_ configurations: [SweepConfiguration], trialCount: Int) -> JSONValue {
        .object([
            JSONMember("trials", .number(trialCount)),
            JSONMember("configurations", .array(configurations.map { c in
                .object([
                    JSONMember("index", .number(c.index)),
                    JSONMember("parameters", .object(zip(parameters, c.values).map { JSONMember($0.path, $1) })),
                ])
            })),
        ])
    }

    /// Each configuration's parameter values, by index, from `resolvedJSON`.
    public static func configurationValues(resolvedJSON: JSONValue) -> [[JSONMember]] {
        guard case .array(let items)? = resolvedJSON["configurations"] else { return [] }
        return items.map { item in
            guard case .object(let members)? = item["parameters"] else { return [] }
            return members
        }
    }
}
