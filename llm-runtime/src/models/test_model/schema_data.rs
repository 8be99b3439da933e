//! [`SchemaData`]: the data [`TestModel`](super::TestModel) generates for a JSON schema.

use serde_json::{Map, Value};

/// Generates the smallest data that fits a JSON schema (pydantic-ai's `_JsonSchemaTestData`):
/// required properties only, `const`/`enum`/`examples` first, the seed picking among choices.
pub(super) struct SchemaData<'s> {
    root: &'s Value,
    defs: Option<&'s Map<String, Value>>,
    seed: u64,
}

/// The characters generated strings are made of, in pydantic-ai's order.
const CHARS: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// How deep `$ref`s are followed before giving up on a recursive schema.
const MAX_DEPTH: usize = 32;

impl<'s> SchemaData<'s> {
    pub(super) fn new(root: &'s Value, seed: u64) -> Self {
        let defs = root
            .get("$defs")
            .or_else(|| root.get("definitions"))
            .and_then(Value::as_object);
        SchemaData { root, defs, seed }
    }

    pub(super) fn generate(mut self) -> Value {
        let root = self.root;
        self.any(root, 0)
    }

    fn pick<'v>(&self, choices: &'v [Value]) -> Option<&'v Value> {
        choices.get((self.seed % choices.len().max(1) as u64) as usize)
    }

    fn any(&mut self, schema: &'s Value, depth: usize) -> Value {
        let Some(obj) = schema.as_object() else {
            // `true` (anything) or `false`: a character is as good as anything.
            return Value::String(self.char());
        };
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        if let Some(value) = obj.get("const") {
            return value.clone();
        }
        if let Some(value) = obj
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|c| self.pick(c))
        {
            return value.clone();
        }
        if let Some(value) = obj
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|c| self.pick(c))
        {
            return value.clone();
        }
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            return match self.defs.and_then(|defs| defs.get(name)) {
                Some(def) => self.any(def, depth + 1),
                None if reference == "#" => self.any(self.root, depth + 1),
                None => Value::Null,
            };
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(choice) = obj
                .get(key)
                .and_then(Value::as_array)
                .and_then(|c| self.pick(c))
            {
                return self.any(choice, depth + 1);
            }
        }
        let ty = match obj.get("type") {
            Some(Value::String(ty)) => Some(ty.as_str()),
            // `["number", "null"]`: the first type that is not null.
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .or(Some("null")),
            _ => None,
        };
        match ty {
            Some("object") => self.object(obj, depth),
            Some("string") => Value::String(self.string(obj)),
            Some("integer") => Value::from(self.integer(obj)),
            Some("number") => Value::from(self.integer(obj) as f64),
            Some("boolean") => Value::Bool(self.seed % 2 == 1),
            Some("array") => self.array(obj, depth),
            Some("null") => Value::Null,
            _ if obj.contains_key("properties") => self.object(obj, depth),
            _ => Value::String(self.char()),
        }
    }

    fn object(&mut self, obj: &'s Map<String, Value>, depth: usize) -> Value {
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut data = Map::new();
        if let Some(properties) = obj.get("properties").and_then(Value::as_object) {
            for (key, schema) in properties {
                if required.contains(&key.as_str()) {
                    let value = self.any(schema, depth + 1);
                    data.insert(key.clone(), value);
                }
            }
        }
        match obj.get("additionalProperties") {
            Some(Value::Bool(true)) => {
                let key = self.free_key(&data);
                data.insert(key, Value::String(self.char()));
            }
            Some(schema @ Value::Object(_)) => {
                let key = self.free_key(&data);
                let value = self.any(schema, depth + 1);
                data.insert(key, value);
            }
            _ => {}
        }
        Value::Object(data)
    }

    fn free_key(&self, data: &Map<String, Value>) -> String {
        let mut key = "additionalProperty".to_owned();
        while data.contains_key(&key) {
            key.push('_');
        }
        key
    }

    fn string(&self, obj: &Map<String, Value>) -> String {
        if let Some(min) = obj.get("minLength").and_then(Value::as_u64) {
            return self.char().repeat(min as usize);
        }
        if obj.get("maxLength").and_then(Value::as_u64) == Some(0) {
            return String::new();
        }
        match obj.get("format").and_then(Value::as_str) {
            Some("date") => {
                let base = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
                (base + chrono::Days::new(self.seed)).to_string()
            }
            Some("date-time") => "2024-01-01T00:00:00Z".to_owned(),
            _ => self.char(),
        }
    }

    fn integer(&self, obj: &Map<String, Value>) -> i64 {
        let seed = self.seed as i64;
        let max = obj
            .get("maximum")
            .and_then(Value::as_f64)
            .or_else(|| {
                obj.get("exclusiveMaximum")
                    .and_then(Value::as_f64)
                    .map(|m| m - 1.0)
            })
            .map(|m| m as i64);
        let min = obj
            .get("minimum")
            .and_then(Value::as_f64)
            .or_else(|| {
                obj.get("exclusiveMinimum")
                    .and_then(Value::as_f64)
                    .map(|m| m + 1.0)
            })
            .map(|m| m as i64);
        match (min, max) {
            (Some(min), Some(max)) if max > min => min + seed % (max - min),
            (Some(min), _) => min + seed,
            (None, Some(max)) => max - seed,
            (None, None) => seed,
        }
    }

    fn array(&mut self, obj: &'s Map<String, Value>, depth: usize) -> Value {
        let mut data = Vec::new();
        let unique = obj
            .get("uniqueItems")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(prefix) = obj.get("prefixItems").and_then(Value::as_array) {
            for item in prefix {
                data.push(self.any(item, depth + 1));
                if unique {
                    self.seed += 1;
                }
            }
        }
        let items = obj
            .get("items")
            .filter(|i| i.as_object().is_some_and(|o| !o.is_empty()));
        let min_items = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max_items = obj
            .get("maxItems")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let wanted = if min_items > data.len() {
            min_items - data.len()
        } else if items.is_some() && max_items.is_none_or(|max| max > data.len()) {
            1
        } else {
            0
        };
        for _ in 0..wanted {
            let value = match items {
                Some(items) => self.any(items, depth + 1),
                None => Value::String(self.char()),
            };
            data.push(value);
            if unique {
                self.seed += 1;
            }
        }
        Value::Array(data)
    }

    /// Characters counted like spreadsheet columns: `a`…`~`, then `aa`, `ab`…
    fn char(&self) -> String {
        let n = CHARS.len() as u64;
        let mut out = Vec::new();
        let mut rem = self.seed / n;
        while rem > 0 {
            out.push(CHARS[((rem - 1) % n) as usize]);
            rem /= n;
        }
        out.push(CHARS[(self.seed % n) as usize]);
        String::from_utf8_lossy(&out).into_owned()
    }
}
