using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Archive.Api.OpenApi;

/// <summary>Marks the endpoints mapped by <c>MapArchive()</c> (the Archive OpenAPI document includes only these).</summary>
public sealed class ArchiveEndpointMetadata
{
    /// <summary>The single instance.</summary>
    public static ArchiveEndpointMetadata Instance { get; } = new();
}

/// <summary>Title, description and conventions of the Archive OpenAPI document.</summary>
internal sealed class ArchiveDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Archive API",
            Version = typeof(ArchiveDocumentTransformer).Assembly.GetName().Version?.ToString(3) ?? "0.1.0",
            Description =
                "REST API of Archive: records management and digital archives for Vietnamese state agencies — agencies (cơ quan), "
                + "fonds (phông lưu trữ), record files (hồ sơ) and documents (văn bản) stored as versioned OCFL packages (SHA-256), "
                + "full-text search with or without diacritics, retention schedules (bảng thời hạn lưu trữ) and due lists, weeding, "
                + "legal hold, reindex and fixity.\n\n"
                + "Authorization: send an API key in `X-Api-Key` or a JWT as `Authorization: Bearer …` (in Swagger UI: Authorize). "
                + "Each operation lists its security requirement; an empty one means the anonymous reading room may call it "
                + "(accessioned, public records only). 401 without or with a rejected credential (with `WWW-Authenticate`), 403 when "
                + "the caller's roles or scope do not allow it, 429 over the rate limit (with `Retry-After`).\n\n"
                + "Errors are RFC 9457 problem details (application/problem+json) with an `errors` array of `{field, rule, message}` "
                + "and a `traceId`: 400 malformed request (JSON syntax/shape/depth > 64), 404 not found, 409 conflict (duplicate code, "
                + "closed fonds, legal hold, job running), 412 If-Match is not the current ETag, 413 too large, 415 wrong Content-Type, "
                + "416 range not satisfiable, 422 a validation rule is broken (nothing was changed), 428 If-Match missing on a replacing PUT, "
                + "503 storage or search unavailable. The framework's own answers (401, 403, 404 for an unknown address, 405 with `Allow`, "
                + "413, 415, 429) have the same shape.\n\n"
                + "Concurrency: metadata resources carry `ETag: \"v{version}\"` (the package version). PUT (replacing) requires "
                + "`If-Match`; other changes accept it optionally. Content downloads carry `ETag: \"{sha256}\"`.",
        };

        // Problem details carry the broken rules and a trace id.
        if (document.Components?.Schemas is { } schemas && schemas.TryGetValue("ProblemDetails", out var problem) && problem is OpenApiSchema p)
        {
            p.Properties ??= new Dictionary<string, IOpenApiSchema>();
            p.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = schemas.ContainsKey("FieldError") ? new OpenApiSchemaReference("FieldError", document) : new OpenApiSchema { Type = JsonSchemaType.Object },
                Description = "Every broken rule: the field, a stable rule id and a message.",
            };
            p.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Correlates the problem with the server log." };
        }

        // Nullable references to enums and objects: the generator writes them as oneOf [{enum: [null], nullable: true},
        // {$ref}], which client generators (NSwag, openapi-generator) turn into an empty class that can hold no value.
        // OpenAPI 3.0's own idiom is {allOf: [{$ref}], nullable: true}: a nullable value of the referenced type.
        foreach (var schema in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
        {
            if (schema.Properties is not { } properties)
            {
                continue;
            }

            foreach (var name in properties.Keys.ToList())
            {
                if (properties[name] is OpenApiSchema { OneOf: [var first, var second] } candidate
                    && new[] { first, second }.OfType<OpenApiSchemaReference>().SingleOrDefault() is { } reference
                    && IsNullOnly(first, second))
                {
                    properties[name] = new OpenApiSchema
                    {
                        AllOf = [reference],
                        Type = JsonSchemaType.Null,
                        Description = candidate.Description,
                    };
                }
            }
        }

        // Raw bodies (uploads, downloads) are bytes: {type: string, format: binary}, not the Stream class's properties
        // (with which generated clients serialize the stream object as JSON instead of sending its bytes).
        foreach (var operation in document.Paths?.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []) ?? [])
        {
            var media = (operation.RequestBody?.Content?.Values ?? []).Concat(operation.Responses?.Values.SelectMany(r => r.Content?.Values ?? []) ?? []);
            foreach (var type in media.OfType<OpenApiMediaType>())
            {
                if (type.Schema is OpenApiSchemaReference { Reference.Id: "Stream" })
                {
                    type.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                }
            }
        }

        document.Components?.Schemas?.Remove("Stream");
        OpenApiText.Decode(document);
        return Task.CompletedTask;
    }

    private static bool IsNullOnly(IOpenApiSchema first, IOpenApiSchema second)
        => new[] { first, second }.OfType<OpenApiSchema>().SingleOrDefault() is { } only
            && (only.Type == JsonSchemaType.Null || (only.Enum is { Count: 1 } values && (values[0] is null || values[0]!.GetValueKind() == System.Text.Json.JsonValueKind.Null)));
}

/// <summary>Media types of request bodies.</summary>
internal static class ArchiveMediaTypes
{
    public const string Json = "application/json";

    public const string Any = "*/*";
}

/// <summary>Request-body metadata that keeps Content-Type checking inside the endpoint (415 problem with errors).</summary>
internal static class AcceptsExtensions
{
    /// <summary>Declares a JSON body for OpenAPI without letting routing answer a bare 415 for other media types.</summary>
    public static Microsoft.AspNetCore.Builder.RouteHandlerBuilder AcceptsJson<T>(this Microsoft.AspNetCore.Builder.RouteHandlerBuilder builder, bool isOptional = false)
        where T : notnull
        => Microsoft.AspNetCore.Http.OpenApiRouteHandlerBuilderExtensions.Accepts<T>(builder, isOptional, ArchiveMediaTypes.Json, ArchiveMediaTypes.Any);
}

/// <summary>Registration helpers of the OpenAPI document.</summary>
internal static class ArchiveOpenApi
{
    public static void Configure(OpenApiOptions options)
    {
        // OpenAPI 3.0: read by every mainstream client generator (NSwag, Kiota, openapi-generator).
        options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_0;
        options.ShouldInclude = description => description.ActionDescriptor.EndpointMetadata.OfType<ArchiveEndpointMetadata>().Any();
        options.AddDocumentTransformer<ArchiveDocumentTransformer>();
        options.AddOperationTransformer<ArchiveOperationTransformer>();
        options.AddSchemaTransformer((schema, context, ct) =>
        {
            // Numbers: the web JSON defaults also read numbers from strings, which the generator describes as the type
            // set {integer, string} + a pattern (anyOf in OpenAPI 3.0); the contract is a number.
            if (schema.Type is { } t && (t.HasFlag(JsonSchemaType.Integer) || t.HasFlag(JsonSchemaType.Number)) && t.HasFlag(JsonSchemaType.String))
            {
                schema.Type = t & ~JsonSchemaType.String;
                schema.Pattern = null;
            }

            // Enums are written as their names.
            if (schema.Enum is { Count: > 0 } values && schema.Type is null && values.All(v => v is null || v.GetValueKind() == System.Text.Json.JsonValueKind.String))
            {
                schema.Type = JsonSchemaType.String;
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, ct) =>
        {
            // "*/*" is declared only so that routing lets every Content-Type reach the endpoint, which answers a
            // wrong one with a 415 problem naming the rule; the contract lists the real media types.
            if (operation.RequestBody?.Content is { Count: > 1 } content && content.ContainsKey(ArchiveMediaTypes.Any))
            {
                content.Remove(ArchiveMediaTypes.Any);
            }

            // Mention the concurrency headers on operations that take or return them.
            var method = context.Description.HttpMethod;
            if (method is "PUT" or "POST" or "DELETE" && operation.Description is null)
            {
                operation.Description = "Send If-Match: \"v{version}\" (from the ETag of a GET) to make the change conditional; " +
                    "PUT requires it when the resource exists (428 otherwise).";
            }

            // The roles an operation needs, from its authorization policy (the single source: ArchivePolicyRoles).
            var roles = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
                .Select(a => a.Policy).OfType<string>().SelectMany(Archive.Api.Security.ArchivePolicyRoles.RolesOf).Distinct().ToList();
            if (roles.Count > 0)
            {
                var line = "Roles: " + string.Join(", ", roles) + ".";
                operation.Description = string.IsNullOrEmpty(operation.Description) ? line : operation.Description + "\n\n" + line;
            }

            return Task.CompletedTask;
        });
    }
}

/// <summary>Endpoint metadata: the success answers of the endpoint carry an <c>ETag</c> (documented as a response header).</summary>
internal sealed class ETagMetadata
{
    public static ETagMetadata Instance { get; } = new();
}

/// <summary>
/// Endpoint metadata: the body is <c>multipart/form-data</c> with a JSON part <see cref="ManifestPart"/> (the schema the
/// endpoint declared with <c>Accepts</c>) followed by binary parts named freely.
/// </summary>
internal sealed record MultipartManifestMetadata(string ManifestPart);

/// <summary>Endpoint metadata: <c>If-Match</c> is required only when the resource already exists (the first save creates it).</summary>
internal sealed class IfMatchWhenExistsMetadata
{
    public static IfMatchWhenExistsMetadata Instance { get; } = new();
}

/// <summary>Endpoint conventions that feed the OpenAPI document.</summary>
internal static class ArchiveEndpointConventions
{
    /// <summary>The endpoint's success answers carry an <c>ETag</c>.</summary>
    public static Microsoft.AspNetCore.Builder.RouteHandlerBuilder WithETag(this Microsoft.AspNetCore.Builder.RouteHandlerBuilder builder)
        => Microsoft.AspNetCore.Builder.RoutingEndpointConventionBuilderExtensions.WithMetadata(builder, ETagMetadata.Instance);
}
