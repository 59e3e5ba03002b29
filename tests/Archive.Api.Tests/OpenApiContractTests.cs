using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// The OpenAPI document the server serves, checked against what the server does (not against itself): for every
/// operation, the declared security against whether an anonymous call is challenged; for every operation that reads a
/// body, a declared requestBody; for every JSON request schema, each property marked required is refused (400/422
/// naming it) when left out, and no property the server refuses when left out is unmarked; every status and header
/// the server answered in these calls is declared for that operation.
/// </summary>
public sealed class OpenApiContractTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    private JsonObject? _document;

    private sealed record Operation(string Method, string Path, string Id, JsonObject Node);

    private async Task<JsonObject> DocumentAsync()
        => _document ??= JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/archive.json", Ct))!.AsObject();

    private static IEnumerable<Operation> Operations(JsonObject document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var method in Methods)
            {
                if (item![method] is JsonObject op)
                {
                    yield return new Operation(method.ToUpperInvariant(), path, (string)op["operationId"]!, op);
                }
            }
        }
    }

    /// <summary>Route values that exist in the seeded archive (the agency, its fonds and a record file with one document).</summary>
    private sealed record Seed(string AgencyId, string FondsCode, string FileCode, string SpareFondsCode, string SpareFileCode);

    private Seed? _seed;

    private async Task<Seed> SeedAsync()
    {
        if (_seed is not null)
        {
            return _seed;
        }

        var client = factory.CreateClient();
        var (agency, fonds) = await Support.Api.SeedAsync(client, "Sở Nội vụ");
        var file = await CreateRecordFileAsync(client, fonds, "01.HĐ");
        var spareFile = await CreateRecordFileAsync(client, fonds, "02.HĐ");
        foreach (var code in new[] { file, spareFile })
        {
            await client.PostAsync($"{FileUrl(code)}/documents", Json(new { subject = "Về việc tuyển dụng viên chức" }), Ct).ExpectAsync(201);
        }

        // A second agency and fonds for the operations that close or freeze what they address.
        var (_, spareFonds) = await Support.Api.SeedAsync(client, "Sở Tư pháp");
        return _seed = new Seed(agency, fonds, file, spareFonds, spareFile);
    }

    private static string Url(Operation op, Seed seed)
    {
        var destructive = op.Path.EndsWith("/close", StringComparison.Ordinal) || op.Path.Contains("legal-hold", StringComparison.Ordinal) || op.Path.Contains("non-archival", StringComparison.Ordinal);
        var path = op.Path;
        foreach (var parameter in op.Node["parameters"]?.AsArray() ?? [])
        {
            if ((string?)parameter!["in"] != "path")
            {
                continue;
            }

            var name = (string)parameter["name"]!;
            var value = name switch
            {
                "agencyId" or "agencyIdOrFondsCode" => seed.AgencyId,
                "fondsCode" => destructive ? seed.SpareFondsCode : seed.FondsCode,
                "fileCode" => destructive ? seed.SpareFileCode : seed.FileCode,
                "docOrdinal" or "version" => "1",
                "fileName" => "a.txt",
                _ => "no-such-" + name,
            };
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return path;
    }

    /// <summary>What the server answered: per operation, each status with the headers it carried.</summary>
    private readonly List<(Operation Op, int Status, HttpResponseMessage Response, string Body)> _observed = [];

    private async Task<(int Status, JsonNode? Problem)> SendAsync(HttpClient client, Operation op, string url, HttpContent? content)
    {
        using var request = new HttpRequestMessage(new HttpMethod(op.Method), url) { Content = content };
        request.Headers.TryAddWithoutValidation("If-Match", "*");
        var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        _observed.Add((op, (int)response.StatusCode, response, body));
        JsonNode? problem = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            problem = JsonNode.Parse(body);
        }

        return ((int)response.StatusCode, problem);
    }

    [Fact]
    public async Task Declared_security_matches_whether_an_anonymous_call_is_challenged()
    {
        var document = await DocumentAsync();
        var seed = await SeedAsync();
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("apiKey", (string?)schemes["apiKey"]!["type"]);
        Assert.Equal("header", (string?)schemes["apiKey"]!["in"]);
        Assert.Equal("X-Api-Key", (string?)schemes["apiKey"]!["name"]);
        Assert.Equal("bearer", (string?)schemes["bearer"]!["scheme"]);

        var anonymous = factory.CreateAnonymousClient();
        var failures = new List<string>();
        foreach (var op in Operations(document))
        {
            var security = op.Node["security"]?.AsArray();
            if (security is null || security.Count == 0)
            {
                failures.Add($"{op.Id}: no security requirement");
                continue;
            }

            var optional = security.Any(r => r!.AsObject().Count == 0);
            var (status, _) = await SendAsync(anonymous, op, Url(op, seed), null);
            if (optional == (status == 401))
            {
                failures.Add($"{op.Id}: security {(optional ? "optional" : "required")} but an anonymous call answered {status}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        AssertObservedAreDeclared(document);
    }

    [Fact]
    public async Task Operations_that_read_a_body_declare_one()
    {
        var document = await DocumentAsync();
        var seed = await SeedAsync();
        var client = factory.CreateClient();
        var failures = new List<string>();
        foreach (var op in Operations(document).Where(o => o.Method is "POST" or "PUT" or "DELETE" && o.Node["requestBody"] is null))
        {
            // An endpoint that reads a body refuses this one for its media type or content; one that reads none ignores it.
            var (status, problem) = await SendAsync(client, op, Url(op, seed), new StringContent("not a body", Encoding.UTF8, "text/plain"));
            var fields = problem?["errors"]?.AsArray().Select(e => (string?)e!["field"]).ToList() ?? [];
            if (status is 400 or 413 or 415 && fields.Any(f => f is "Content-Type" or "body"))
            {
                failures.Add($"{op.Id}: reads a body ({status} {string.Join(",", fields)}) but declares no requestBody");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        AssertObservedAreDeclared(document);
    }

    [Fact]
    public async Task Required_properties_are_those_the_server_refuses_when_left_out()
    {
        var document = await DocumentAsync();
        var seed = await SeedAsync();
        var client = factory.CreateClient();
        var failures = new List<string>();
        var checkedProperties = 0;
        foreach (var op in Operations(document))
        {
            if (op.Node["requestBody"]?["content"]?["application/json"]?["schema"] is not { } bodySchema)
            {
                continue;
            }

            var schema = Resolve(document, bodySchema);
            if (schema["properties"] is not JsonObject properties)
            {
                continue;
            }

            var required = schema["required"]?.AsArray().Select(r => (string)r!).ToHashSet(StringComparer.Ordinal) ?? [];
            var full = Sample(document, schema, 0)!.AsObject();
            var url = Url(op, seed);

            // The whole sample first: what it is refused for is not evidence about a property left out.
            var (_, baselineProblem) = await SendAsync(client, op, url, Json(full));
            var baseline = Named(baselineProblem);
            foreach (var name in properties.Select(p => p.Key))
            {
                var body = full.DeepClone().AsObject();
                body.Remove(name);
                var (status, problem) = await SendAsync(client, op, url, Json(body));
                // Refused for this property: an error naming it that the whole sample did not get.
                // A rule that ties two members (number and symbol: both or neither) refuses one left out without making it required.
                var refused = status is 400 or 422 && Named(problem).Any(f => Names(f.Field, name) && !baseline.Contains(f) && f.Rule is not "number-symbol.pair");
                checkedProperties++;
                if (required.Contains(name) && !refused)
                {
                    failures.Add($"{op.Id}: '{name}' is marked required, but leaving it out answered {status} {problem?["errors"]?.ToJsonString()}");
                }
                else if (!required.Contains(name) && refused)
                {
                    failures.Add($"{op.Id}: leaving '{name}' out is refused ({status} {problem?["errors"]?.ToJsonString()}), but the document does not mark it required");
                }
            }
        }

        Assert.True(checkedProperties > 50, $"only {checkedProperties} properties checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        AssertObservedAreDeclared(document);
    }

    [Fact]
    public async Task Declared_length_and_count_limits_are_those_the_server_enforces()
    {
        // For every top-level maxLength / maxItems of a JSON request body: a value at the limit is not refused for that
        // property, one past it is. So the document's limits are the engine's, not prose.
        var document = await DocumentAsync();
        var seed = await SeedAsync();
        var client = factory.CreateClient();
        var failures = new List<string>();
        var checkedLimits = 0;
        foreach (var op in Operations(document))
        {
            if (op.Node["requestBody"]?["content"]?["application/json"]?["schema"] is not { } bodySchema
                || Resolve(document, bodySchema) is not { } schema || schema["properties"] is not JsonObject properties)
            {
                continue;
            }

            if (!properties.Any(p => Resolve(document, p.Value!) is var ps && (ps["maxLength"] is not null || ps["maxItems"] is not null)))
            {
                continue;
            }

            var full = Sample(document, schema, 0)!.AsObject();
            if (full.ContainsKey("fondsCode") && op.Method == "POST")
            {
                full["fondsCode"] = seed.SpareFondsCode; // an open fonds, so the body's own rules are checked
            }

            var url = Url(op, seed);
            var (_, baselineProblem) = await SendAsync(client, op, url, Json(full));
            var baseline = Named(baselineProblem);
            foreach (var (name, node) in properties)
            {
                if (baseline.Any(f => Names(f.Field, name)))
                {
                    continue; // refused already (e.g. an identity member a PUT cannot change): no evidence either way
                }

                var property = Resolve(document, node!);
                var maxLength = (int?)property["maxLength"];
                var maxItems = (int?)property["maxItems"];
                if (maxLength is null && maxItems is null)
                {
                    continue;
                }

                checkedLimits++;
                foreach (var (size, mustRefuse) in new[] { ((maxLength ?? maxItems)!.Value, false), ((maxLength ?? maxItems)!.Value + 1, true) })
                {
                    var body = full.DeepClone().AsObject();
                    if (body.ContainsKey("fileNotation") && name != "fileNotation" && op.Method == "POST")
                    {
                        body["fileNotation"] = $"{++_notation:D2}.GH"; // a new record file each time, not a conflict
                    }

                    body[name] = maxLength is not null
                        ? JsonValue.Create(Fill((string?)Sample(document, property, 0) ?? "x", size))
                        : new JsonArray([.. Enumerable.Range(1, size).Select(i => (JsonNode?)JsonValue.Create("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))]);
                    var (status, problem) = await SendAsync(client, op, url, Json(body));
                    var refused = status is 400 or 422 && Named(problem).Any(f => Names(f.Field, name) && !baseline.Contains(f));
                    if (refused != mustRefuse)
                    {
                        failures.Add($"{op.Id}: '{name}' declares {(maxLength is null ? "maxItems" : "maxLength")} {maxLength ?? maxItems}, but {size} was {(refused ? "refused" : "accepted")} ({status} {problem?["errors"]?.ToJsonString()})");
                    }
                }
            }
        }

        Assert.True(checkedLimits >= 15, $"only {checkedLimits} limits checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private int _notation = 10;

    /// <summary>The sample stretched (or cut) to <paramref name="length"/> characters by repeating its last letter or digit.</summary>
    private static string Fill(string sample, int length)
    {
        var pad = sample.LastOrDefault(char.IsLetterOrDigit);
        pad = pad == default ? 'A' : pad;
        return sample.Length >= length ? sample[..length] : sample + new string(pad, length - sample.Length);
    }

    [Fact]
    public async Task Descriptions_carry_no_escaped_markup()
    {
        var json = (await DocumentAsync()).ToJsonString();
        Assert.DoesNotContain("&lt;", json, StringComparison.Ordinal);
        Assert.DoesNotContain("&gt;", json, StringComparison.Ordinal);
        Assert.DoesNotContain("ValueTask", json, StringComparison.Ordinal);
        Assert.DoesNotContain("List<", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conditional_headers_and_real_bodies_are_declared()
    {
        var document = await DocumentAsync();
        var ops = Operations(document).ToDictionary(o => o.Id);
        string[] Headers(string id) => ops[id].Node["parameters"]?.AsArray().Where(p => (string?)p!["in"] == "header").Select(p => (string)p!["name"]!).ToArray() ?? [];
        bool HeaderRequired(string id, string name) => ops[id].Node["parameters"]!.AsArray().Single(p => (string?)p!["name"] == name)!["required"]?.GetValue<bool>() == true;

        Assert.Contains("If-Match", Headers("UpdateRecordFile"));
        Assert.True(HeaderRequired("UpdateRecordFile", "If-Match"));
        Assert.Contains("If-Match", Headers("UploadContent"));
        Assert.False(HeaderRequired("UploadContent", "If-Match"));
        Assert.False(HeaderRequired("SaveAgencyRetentionSchedule", "If-Match"));
        Assert.Contains("If-None-Match", Headers("DownloadContent"));
        Assert.Contains("Range", Headers("DownloadContent"));
        Assert.Contains("If-Range", Headers("DownloadContent"));
        Assert.NotNull(ops["DownloadContent"].Node["responses"]!["206"]!["headers"]!["Content-Range"]);
        Assert.NotNull(ops["GetRecordFile"].Node["responses"]!["200"]!["headers"]!["ETag"]);
        Assert.NotNull(ops["CreateRecordFile"].Node["responses"]!["201"]!["headers"]!["Location"]);
        Assert.NotNull(ops["ListAgencies"].Node["responses"]!["429"]!["headers"]!["Retry-After"]);

        Assert.NotNull(ops["ProposeDisposition"].Node["requestBody"]!["content"]!["application/json"]);
        var csv = ops["SaveAgencyRetentionSchedule"].Node["requestBody"]!["content"]!["text/csv"]!["schema"]!;
        Assert.Equal("string", (string?)csv["type"]);
        var form = ops["ImportRecordFile"].Node["requestBody"]!["content"]!["multipart/form-data"]!;
        Assert.Equal("object", (string?)form["schema"]!["type"]);
        Assert.NotNull(form["schema"]!["properties"]!["manifest"]);
        Assert.Equal("binary", (string?)form["schema"]!["additionalProperties"]!["format"]);
        Assert.Equal("application/json", (string?)form["encoding"]!["manifest"]!["contentType"]);
    }

    /// <summary>Every status the server answered is declared for the operation, with the headers it carried.</summary>
    private void AssertObservedAreDeclared(JsonObject document)
    {
        var failures = new List<string>();
        foreach (var (op, status, response, _) in _observed)
        {
            var declared = op.Node["responses"]![status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            if (declared is null)
            {
                failures.Add($"{op.Id}: answered {status}, which is not declared");
                continue;
            }

            foreach (var header in new[] { "ETag", "Location", "Retry-After", "Content-Range", "WWW-Authenticate" })
            {
                if ((response.Headers.NonValidated.Contains(header) || response.Content.Headers.NonValidated.Contains(header)) && declared["headers"]?[header] is null)
                {
                    failures.Add($"{op.Id}: {status} carried {header}, which is not declared");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct()));
    }

    /// <summary>The (field, rule) pairs a problem names (errors[]), empty when it is no problem.</summary>
    private static List<(string Field, string? Rule)> Named(JsonNode? problem)
        => problem?["errors"]?.AsArray().Where(e => e?["field"] is not null).Select(e => ((string)e!["field"]!, (string?)e["rule"])).ToList() ?? [];

    /// <summary>Whether an error field names the top-level property (itself, or a path into it).</summary>
    private static bool Names(string field, string property)
        => field.Equals(property, StringComparison.OrdinalIgnoreCase)
            || field.StartsWith(property + ".", StringComparison.OrdinalIgnoreCase)
            || field.StartsWith(property + "[", StringComparison.OrdinalIgnoreCase);

    private static JsonObject Resolve(JsonObject document, JsonNode schema)
    {
        while (true)
        {
            if (schema["$ref"] is { } reference)
            {
                schema = document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]!;
            }
            else if (schema["allOf"] is JsonArray { Count: 1 } all)
            {
                schema = all[0]!;
            }
            else
            {
                return schema.AsObject();
            }
        }
    }

    /// <summary>A plausible value of <paramref name="schema"/>: its example, an enum value, or one built from the type and format.</summary>
    private static JsonNode? Sample(JsonObject document, JsonNode node, int depth)
    {
        var schema = Resolve(document, node);
        if (schema["example"] is { } example)
        {
            return example.DeepClone();
        }

        if (schema["enum"] is JsonArray values && values.FirstOrDefault(v => v is not null) is { } first)
        {
            return first.DeepClone();
        }

        var type = schema["type"] switch
        {
            JsonArray types => types.Select(t => (string?)t).FirstOrDefault(t => t != "null"),
            { } t => (string?)t,
            _ => schema["properties"] is not null ? "object" : null,
        };
        return type switch
        {
            "object" when depth < 8 => new JsonObject((schema["properties"]?.AsObject() ?? []).Select(p => KeyValuePair.Create(p.Key, Sample(document, p.Value!, depth + 1)))),
            "object" => new JsonObject(),
            "array" when depth < 8 && schema["items"] is { } items => new JsonArray(Sample(document, items, depth + 1)),
            "array" => new JsonArray(),
            "integer" => JsonValue.Create(Math.Max(1, (int?)schema["minimum"] ?? 1)),
            "number" => JsonValue.Create(1.0),
            "boolean" => JsonValue.Create(false),
            "string" => (string?)schema["format"] switch
            {
                "date" => JsonValue.Create("2015-03-02"),
                "date-time" => JsonValue.Create("2015-03-02T08:00:00+07:00"),
                "uuid" => JsonValue.Create(Guid.NewGuid().ToString()),
                _ => JsonValue.Create("x" + Guid.NewGuid().ToString("N")[..6]),
            },
            _ => JsonValue.Create("x"),
        };
    }
}
