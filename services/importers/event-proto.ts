import protobuf from 'protobufjs';

// The parts of TensorFlow's event.proto, summary.proto, tensor.proto and TensorBoard's
// hparams plugin_data.proto that the importer reads, with their field numbers. Summaries it only
// skips (image, audio, histogram) are declared as bytes: same wire type, nothing decoded.
// google.protobuf.Value is restated here (same field numbers) so no .proto files are loaded at run time.
const PROTO = `
syntax = "proto3";
package phenobook.tb;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
  }
}

message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      bytes obsolete_old_style_histogram = 3;
      bytes image = 4;
      bytes histo = 5;
      bytes audio = 6;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated float float_val = 5;
  repeated double double_val = 6;
  repeated int32 int_val = 7;
  repeated bytes string_val = 8;
  repeated int64 int64_val = 10;
  repeated bool bool_val = 11;
}

message HParamsPluginData {
  int32 version = 1;
  oneof data {
    bytes experiment = 2;
    SessionStartInfo session_start_info = 3;
    bytes session_end_info = 4;
  }
}

message SessionStartInfo {
  map<string, Value> hparams = 1;
  string model_uri = 2;
  string monitor_url = 3;
  string group_name = 4;
  double start_time_secs = 5;
}

message Value {
  oneof kind {
    int32 null_value = 1;
    double number_value = 2;
    string string_value = 3;
    bool bool_value = 4;
    Struct struct_value = 5;
    ListValue list_value = 6;
  }
}
message Struct { map<string, Value> fields = 1; }
message ListValue { repeated Value values = 1; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const EventType = root.lookupType('phenobook.tb.Event');
const HParamsType = root.lookupType('phenobook.tb.HParamsPluginData');

type Int64 = number | { toNumber(): number } | { low: number; high: number };

export interface TensorProto {
  dtype?: number;
  tensor_shape?: { dim?: { size?: Int64 }[]; unknown_rank?: boolean };
  tensor_content?: Uint8Array;
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  int64_val?: Int64[];
}

export interface SummaryValue {
  tag?: string;
  metadata?: { plugin_data?: { plugin_name?: string; content?: Uint8Array } };
  simple_value?: number;
  obsolete_old_style_histogram?: Uint8Array;
  image?: Uint8Array;
  audio?: Uint8Array;
  histo?: Uint8Array;
  tensor?: TensorProto;
  /** Which member of the `value` oneof is set (protobufjs virtual oneof). */
  value?: string;
}

export interface TfEvent {
  wall_time?: number;
  step?: Int64;
  file_version?: string;
  summary?: { value?: SummaryValue[] };
}

interface ProtoValue {
  null_value?: number;
  number_value?: number;
  string_value?: string;
  bool_value?: boolean;
  struct_value?: { fields?: Record<string, ProtoValue> };
  list_value?: { values?: ProtoValue[] };
  kind?: string;
}

export function toNumber(v: Int64 | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if ('toNumber' in v) return v.toNumber();
  return v.high * 2 ** 32 + (v.low >>> 0);
}

export function decodeEvent(data: Uint8Array): TfEvent {
  const message = EventType.decode(data);
  // oneofs: true so `value` names the member actually present (a simple_value of 0 vs. none).
  return EventType.toObject(message, { oneofs: true, longs: Number }) as TfEvent;
}

/** google.protobuf.Value → its JSON value. */
function protoValueToJson(v: ProtoValue): unknown {
  switch (v.kind) {
    case 'number_value':
      return v.number_value;
    case 'string_value':
      return v.string_value;
    case 'bool_value':
      return v.bool_value;
    case 'struct_value':
      return Object.fromEntries(Object.entries(v.struct_value?.fields ?? {}).map(([k, x]) => [k, protoValueToJson(x)]));
    case 'list_value':
      return (v.list_value?.values ?? []).map(protoValueToJson);
    default:
      return null;
  }
}

/** The hparams of a session_start_info summary, or undefined for the plugin's other summaries. */
export function decodeSessionStartHparams(content: Uint8Array): Record<string, unknown> | undefined {
  const message = HParamsType.decode(content);
  const obj = HParamsType.toObject(message, { oneofs: true }) as {
    session_start_info?: { hparams?: Record<string, ProtoValue> };
  };
  const hparams = obj.session_start_info?.hparams;
  if (!obj.session_start_info) return undefined;
  return Object.fromEntries(Object.entries(hparams ?? {}).map(([k, v]) => [k, protoValueToJson(v)]));
}
