using System.Text.Json;
using System.Text.Json.Serialization;
using Archive.IO;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Archive.Api.Http;

/// <summary>
/// Reads JSON request bodies inside the endpoint (so that every failure becomes a problem with field and rule):
/// Content-Type must be JSON (415 otherwise); syntax, shape and nesting errors and duplicate keys are 400 naming the
/// JSON path; a value that is not one of an enum's names lists the allowed ones.
/// </summary>
public static class JsonBody
{
    /// <summary>Deepest JSON nesting accepted (the System.Text.Json default; the AutoMapper advisory needs ~25,000).</summary>
    public const int MaxDepth = 64;

    /// <summary>The options request bodies are read with: web defaults, enums as names, depth 64.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Reads the body as <typeparamref name="T"/>.</summary>
    /// <exception cref="ApiRequestException">415 (not JSON) or 400 (empty, malformed, wrong shape, too deep).</exception>
    public static async ValueTask<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureJson(request);
        var limit = MaxBytes(request.HttpContext);
        if (request.ContentLength is { } declared && declared > limit)
        {
            throw new ContentTooLargeException("body", limit);
        }

        return await DeserializeAsync<T>(request.Body, request.HttpContext, "body", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a JSON document (the request body, or a part of a multipart body named <paramref name="root"/>) as
    /// <typeparamref name="T"/>, limited to <see cref="ArchiveApiOptions.MaxJsonBodyBytes"/>. Errors name the JSON path
    /// (under <paramref name="root"/> unless it is the whole body) and the rule.
    /// </summary>
    /// <exception cref="ApiRequestException">400 (empty, malformed, wrong shape, too deep).</exception>
    internal static async ValueTask<T> DeserializeAsync<T>(Stream json, HttpContext http, string root, CancellationToken cancellationToken)
        where T : class
    {
        var what = root == "body" ? "The request body" : $"The '{root}' part";
        try
        {
            var body = new LimitedReadStream(json, MaxBytes(http), root);
            await using var bodyScope = body.ConfigureAwait(false);
            var value = await JsonSerializer.DeserializeAsync<T>(body, Options, cancellationToken).ConfigureAwait(false);
            return value ?? throw ApiRequestException.BadRequest(root, "json.null", what + " must be a JSON object, not null.");
        }
        catch (JsonException ex)
        {
            var inner = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? null : ex.Path.TrimStart('$', '.');
            var path = inner is null ? root : root == "body" ? inner : root + "." + inner;
            var rule = ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "json.duplicate-key"
                : ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase) ? "json.max-depth"
                : ex.Message.Contains("missing required properties", StringComparison.OrdinalIgnoreCase) ? "json.required"
                : ex.Message.Contains("doesn't allow setting null", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("null values", StringComparison.OrdinalIgnoreCase) ? "json.null"
                : ex.InnerException is FormatException or InvalidOperationException || ex.Message.Contains("could not be converted", StringComparison.OrdinalIgnoreCase) ? "json.type"
                : "json.syntax";
            if (rule == "json.required" && FirstMissing(ex.Message) is { } missing)
            {
                // Name the member itself (the path is the object that lacks it), so that a client can tell which one.
                path = inner is null && root == "body" ? missing : path + "." + missing;
            }

            var message = rule switch
            {
                "json.max-depth" => $"The JSON is nested deeper than {MaxDepth} levels.",
                "json.required" => ex.Message,
                "json.duplicate-key" => $"The key '{path}' appears more than once in its JSON object; send each key once.",
                "json.type" when EnumAt(typeof(T), inner) is { } enumType => $"The value at '{path}' must be one of {string.Join(", ", Enum.GetNames(enumType))}.",
                "json.type" => $"The value at '{path}' has the wrong type or format.",
                "json.null" => $"The value at '{path}' must not be null.",
                _ => what + " is not well-formed JSON" + (ex.LineNumber is { } l ? $" (line {l + 1}, byte {ex.BytePositionInLine + 1})." : "."),
            };
            throw ApiRequestException.BadRequest(path, rule, message, ex);
        }
    }

    /// <summary>The first name in System.Text.Json's "missing required properties including: 'a', 'b'." message.</summary>
    private static string? FirstMissing(string message)
    {
        var at = message.IndexOf("including:", StringComparison.Ordinal);
        var open = at < 0 ? -1 : message.IndexOf('\'', at);
        var close = open < 0 ? -1 : message.IndexOf('\'', open + 1);
        return close > open + 1 ? message[(open + 1)..close] : null;
    }

    /// <summary>The enum type of the member at a JSON path of <paramref name="root"/> (e.g. <c>documents[2].confidenceLevel</c>), or null.</summary>
    private static Type? EnumAt(Type root, string? path)
    {
        if (path is null)
        {
            return null;
        }

        var type = root;
        foreach (var segment in path.Split('.'))
        {
            var name = segment;
            var indexed = segment.IndexOf('[', StringComparison.Ordinal);
            if (indexed >= 0)
            {
                name = segment[..indexed];
            }

            var info = Options.GetTypeInfo(type);
            if (name.Length > 0)
            {
                var property = info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object
                    ? info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
                    : null;
                if (property is null)
                {
                    return null;
                }

                type = property.PropertyType;
            }

            if (indexed >= 0)
            {
                info = Options.GetTypeInfo(type);
                if (info.ElementType is not { } element)
                {
                    return null;
                }

                type = element;
            }
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (!type.IsEnum && Options.GetTypeInfo(type).ElementType is { } item)
        {
            type = Nullable.GetUnderlyingType(item) ?? item; // a list of enums: the value at the list's path
        }

        return type.IsEnum ? type : null;
    }

    private static long MaxBytes(HttpContext http)
        => http.RequestServices?.GetService(typeof(Microsoft.Extensions.Options.IOptions<ArchiveApiOptions>)) is Microsoft.Extensions.Options.IOptions<ArchiveApiOptions> o
            ? o.Value.MaxJsonBodyBytes
            : 1024 * 1024;

    /// <summary>Throws 415 unless the request declares a JSON media type.</summary>
    public static void EnsureJson(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !(type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || (type.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))))
        {
            throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "media-type.json-required", $"This endpoint reads JSON: send Content-Type: application/json (got '{request.ContentType ?? "none"}').");
        }
    }

    /// <summary>
    /// An optional list sent as <c>null</c> counts as absent (its default, usually empty, is kept): generated clients
    /// (NSwag, openapi-generator) send every optional property, null when unset. Required lists still refuse null.
    /// </summary>
    private static void NullListsAreAbsent(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (info.Kind != System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            if (property.Set is { } set && !property.IsRequired && property.PropertyType != typeof(string)
                && typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType))
            {
                property.IsSetNullable = true;
                property.Set = (target, value) =>
                {
                    if (value is not null)
                    {
                        set(target, value);
                    }
                };
            }
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            MaxDepth = MaxDepth,
            RespectNullableAnnotations = true,
            AllowTrailingCommas = false,
            AllowDuplicateProperties = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { NullListsAreAbsent } },
        };
        o.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
