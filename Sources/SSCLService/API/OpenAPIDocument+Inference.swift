import SSCLEngine

/// The shapes of the inference endpoints' requests and answers (`APIRouter+Inference`; the Codable types in
/// `Inference/Messages` are what is sent).
extension OpenAPIDocument {
    static var inferenceSchemas: JSONValue {
        let number: JSONValue = ["type": "number"]
        let integer: JSONValue = ["type": "integer"]
        let neighbor: JSONValue = [
            "type": "object", "additionalProperties": false, "required": ["index", "label", "class_name", "similarity"],
            "properties": ["index": integer, "label": integer, "class_name": ["type": "string"], "similarity": number],
        ]
        let neighbors: JSONValue = ["type": "array", "items": neighbor]
        let weights: JSONValue = ["step": integer, "source": ["type": "string", "enum": ["model", "checkpoint"]]]
        let rows: JSONValue = ["type": "array", "minItems": 1, "items": ["type": "array", "items": number]]
        return [
            "EmbedRequest": [
                "type": "object", "required": ["inputs"],
                "properties": ["inputs": rows],
            ],
            "NeighborsRequest": [
                "type": "object", "required": ["inputs"],
                "properties": ["inputs": rows, "k": ["type": "integer", "minimum": 1, "maximum": 100]],
            ],
            "Embeddings": [
                "type": "object", "required": ["embeddings", "step", "source"],
                "properties": (["embeddings": ["type": "array", "items": ["type": "array", "items": number]]] as JSONValue).merging(weights),
            ],
            "Neighbors": [
                "type": "object", "required": ["neighbors", "step", "source"],
                "properties": (["neighbors": ["type": "array", "items": neighbors]] as JSONValue).merging(weights),
            ],
            "Projection": [
                "type": "object", "required": ["method", "step", "explained_variance", "points", "class_names"],
                "properties": [
                    "method": ["type": "string", "enum": ["pca"]], "step": integer,
                    "explained_variance": ["type": "array", "items": number, "minItems": 2, "maxItems": 2],
                    "points": ["type": "array", "items": [
                        "type": "object", "required": ["index", "label", "x", "y"],
                        "properties": ["index": integer, "label": integer, "x": number, "y": number],
                    ]],
                    "class_names": ["type": "array", "items": ["type": "string"]],
                ],
            ],
            "Item": [
                "type": "object", "required": ["index", "label", "class_name", "neighbors"],
                "properties": [
                    "index": integer, "label": integer, "class_name": ["type": "string"],
                    "values": ["type": "array", "items": number],
                    "image": ["type": "object", "required": ["width", "height", "channels", "pixels"], "properties": [
                        "width": integer, "height": integer, "channels": integer,
                        "pixels": ["type": "array", "items": ["type": "integer", "minimum": 0, "maximum": 255]],
                    ]],
                    "neighbors": neighbors,
                ],
            ],
        ]
    }
}
