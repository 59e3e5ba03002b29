using System.Net;
using Archive.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Archive.Api.OpenApi;

/// <summary>
/// What the server does that the endpoint signatures do not say, written into each operation of the Archive document:
/// the security requirement (API key, bearer token; none for the anonymous reading room), the conditional-request
/// headers an operation honours (<c>If-Match</c> where it answers 412, required where it answers 428;
/// <c>If-None-Match</c>, <c>Range</c>, <c>If-Range</c> on downloads), the response headers it sets (<c>ETag</c>,
/// <c>Location</c>, <c>Retry-After</c>, <c>Content-Range</c>, <c>Accept-Ranges</c>, <c>WWW-Authenticate</c>), 413/415
/// on JSON bodies, the real multipart form of the import and <c>text/csv</c> bodies as text.
/// </summary>
internal sealed class ArchiveOperationTransformer : IOpenApiOperationTransformer
{
    public const string ApiKeySchemeId = "apiKey";

    public const string BearerSchemeId = "bearer";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var method = context.Description.HttpMethod ?? "GET";
        operation.Responses ??= [];
        var responses = operation.Responses;

        await AddSecurityAsync(operation, context, metadata).ConfigureAwait(false);

        // Bodies: a JSON body may be refused as too large (Archive:Api:MaxJsonBodyBytes) or of the wrong media type.
        if (operation.RequestBody?.Content is { } content)
        {
            if (content.ContainsKey("application/json"))
            {
                AddProblem(responses, StatusCodes.Status413PayloadTooLarge, "The body is larger than the limit (content.too-large).");
                AddProblem(responses, StatusCodes.Status415UnsupportedMediaType, "The Content-Type is not one the operation reads.");
            }

            foreach (var (type, media) in content)
            {
                if (type.StartsWith("text/", StringComparison.OrdinalIgnoreCase) && media is OpenApiMediaType text)
                {
                    text.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The document as text (" + type + ")." };
                }
            }

            if (metadata.OfType<MultipartManifestMetadata>().FirstOrDefault() is { } multipart
                && content.TryGetValue("multipart/form-data", out var form) && form is OpenApiMediaType formMedia && formMedia.Schema is { } manifest)
            {
                formMedia.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = $"The '{multipart.ManifestPart}' part first (application/json), then one binary part per content file, each named as the manifest's contents[].part says.",
                    Properties = new Dictionary<string, IOpenApiSchema> { [multipart.ManifestPart] = manifest },
                    Required = new HashSet<string> { multipart.ManifestPart },
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "A content file, named by the manifest." },
                };
                formMedia.Encoding = new Dictionary<string, OpenApiEncoding> { [multipart.ManifestPart] = new() { ContentType = "application/json" } };
            }
        }

        // Conditional requests.
        operation.Parameters ??= [];
        if (method is not "GET" and not "HEAD" && responses.ContainsKey("412"))
        {
            var required = responses.ContainsKey("428") && !metadata.OfType<IfMatchWhenExistsMetadata>().Any();
            AddHeaderParameter(operation, "If-Match", required,
                (required
                    ? "The ETag read (e.g. \"v3\"): the change is made only if the resource is still at that version (412 otherwise; 428 when missing)."
                    : "The ETag read (e.g. \"v3\"): the change is made only if the resource is still at that version (412 otherwise).")
                + (metadata.OfType<IfMatchWhenExistsMetadata>().Any() ? " Required once the resource exists (428), not for the first save." : string.Empty));
        }

        if (responses.ContainsKey("304"))
        {
            AddHeaderParameter(operation, "If-None-Match", false, "An ETag the client holds: 304 Not Modified when it is still current.");
        }

        if (responses.ContainsKey("206"))
        {
            AddHeaderParameter(operation, "Range", false, "One byte range, e.g. bytes=0-1048575 (206 with Content-Range; 416 when unsatisfiable).");
            AddHeaderParameter(operation, "If-Range", false, "Serve the range only if the content still has this ETag; else the whole content (200).");
        }

        // Response headers.
        var etag = metadata.OfType<ETagMetadata>().Any();
        foreach (var (status, response) in responses)
        {
            if (response is not OpenApiResponse r)
            {
                continue;
            }

            if (etag && status is "200" or "201" or "206")
            {
                AddHeader(r, "ETag", "The entity tag: \"v{version}\" of the package version for metadata, the quoted SHA-256 for content; send it back in If-Match (If-None-Match, If-Range for downloads).");
            }

            if (status is "201" or "202")
            {
                AddHeader(r, "Location", "The address of the created resource (202: of the job to poll).", format: "uri-reference");
            }

            if (responses.ContainsKey("206") && status is "200" or "206")
            {
                AddHeader(r, "Accept-Ranges", "bytes: ranges are served.");
            }

            if (status == "206")
            {
                AddHeader(r, "Content-Range", "The range served: bytes first-last/length.");
            }

            if (status == "429")
            {
                AddHeader(r, "Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer);
            }

            if (status == "401")
            {
                AddHeader(r, "WWW-Authenticate", "The schemes accepted (ApiKey header=\"X-Api-Key\", Bearer).");
            }
        }

        if (operation.Parameters.Count == 0)
        {
            operation.Parameters = null;
        }
    }

    /// <summary>Security schemes of the document (components) and this operation's requirement.</summary>
    private static async Task AddSecurityAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, IList<object> metadata)
    {
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
        if (policies.Count == 0 || context.Document is not { } document)
        {
            return;
        }

        var schemes = await SchemesAsync(context.ApplicationServices).ConfigureAwait(false);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        foreach (var (id, scheme) in schemes)
        {
            document.Components.SecuritySchemes.TryAdd(id, scheme);
        }

        operation.Security = [];
        foreach (var id in schemes.Keys)
        {
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(id, document)] = [] });
        }

        // Anonymous readers of the reading room need no credentials for Read operations (an empty requirement).
        var options = context.ApplicationServices.GetService<IOptionsMonitor<ArchiveApiOptions>>()?.CurrentValue;
        if (options?.AnonymousReadingRoom == true && policies.All(ArchivePolicyRoles.AllowsAnonymousReader))
        {
            operation.Security.Add(new OpenApiSecurityRequirement());
        }
    }

    /// <summary>The schemes <c>AddArchiveAuthentication</c> registered: the API key always, bearer when JWT is configured.</summary>
    private static async Task<Dictionary<string, IOpenApiSecurityScheme>> SchemesAsync(IServiceProvider services)
    {
        var found = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        var provider = services.GetService<IAuthenticationSchemeProvider>();
        if (provider is null)
        {
            return found;
        }

        if (await provider.GetSchemeAsync(ArchiveAuthenticationDefaults.ApiKeyScheme).ConfigureAwait(false) is not null)
        {
            found[ApiKeySchemeId] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ArchiveAuthenticationDefaults.ApiKeyHeader,
                Description = "An API key (ak_…): apikey create on the server, or POST /api-keys by an administrator.",
            };
        }

        if (await provider.GetSchemeAsync(ArchiveAuthenticationDefaults.BearerScheme).ConfigureAwait(false) is not null
            && services.GetService<IOptionsMonitor<ArchiveAuthOptions>>()?.CurrentValue.Jwt.IsConfigured == true)
        {
            found[BearerSchemeId] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT of the configured issuer and audience (claims role, archive:agency, archive:clearance).",
            };
        }

        return found;
    }

    private static void AddHeaderParameter(OpenApiOperation operation, string name, bool required, string description)
    {
        if (operation.Parameters!.Any(p => p.In == ParameterLocation.Header && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = required,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }

    private static void AddHeader(OpenApiResponse response, string name, string description, JsonSchemaType type = JsonSchemaType.String, string? format = null)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers.TryAdd(name, new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type, Format = format } });
    }

    /// <summary>Adds a problem response with the content of the operation's 400 (the problem details schema).</summary>
    private static void AddProblem(OpenApiResponses responses, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (responses.ContainsKey(key) || !responses.TryGetValue("400", out var bad) || bad is not OpenApiResponse template)
        {
            return;
        }

        responses[key] = new OpenApiResponse { Description = description, Content = template.Content };
    }
}

/// <summary>Text written into the document as it is (crefs and entities from XML comments decoded).</summary>
internal static class OpenApiText
{
    /// <summary>Decodes <c>&amp;lt;</c>, <c>&amp;gt;</c>, <c>&amp;amp;</c> left by XML documentation comments.</summary>
    public static void Decode(OpenApiDocument document)
    {
        var seen = new HashSet<OpenApiSchema>(ReferenceEqualityComparer.Instance);
        foreach (var schema in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
        {
            Walk(schema, seen);
        }

        foreach (var operation in document.Paths?.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []) ?? [])
        {
            operation.Summary = Clean(operation.Summary);
            operation.Description = Clean(operation.Description);
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                parameter.Description = Clean(parameter.Description);
            }
        }
    }

    private static void Walk(OpenApiSchema schema, HashSet<OpenApiSchema> seen)
    {
        if (!seen.Add(schema))
        {
            return;
        }

        schema.Description = Clean(schema.Description);
        foreach (var child in (schema.Properties?.Values ?? []).Concat(schema.AllOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? [])
            .Append(schema.Items).Append(schema.AdditionalProperties).OfType<OpenApiSchema>())
        {
            Walk(child, seen);
        }
    }

    private static string? Clean(string? text) => text is null || !text.Contains('&', StringComparison.Ordinal) ? text : WebUtility.HtmlDecode(text);
}
