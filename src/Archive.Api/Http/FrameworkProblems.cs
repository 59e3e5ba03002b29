using Archive.Api.Contracts;
using Archive.Api.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Api.Http;

/// <summary>
/// Gives the answers the framework writes itself — 401 challenge, 403 forbid, route 404, 405, 413, 415, 429 and other
/// bare 4xx — the archive's problem shape: <c>type: urn:archive:problem:{family}</c>, a title, a detail and
/// <c>errors: [{field, rule, message}]</c> (the trace id is added by the problem details service). Headers the
/// framework set (<c>WWW-Authenticate</c>, <c>Allow</c>, <c>Retry-After</c>) are kept. Problems that already carry
/// <c>errors</c>, or a type of the host's own, are left alone.
/// </summary>
internal static class FrameworkProblems
{
    /// <summary><see cref="HttpContext.Items"/> key under which the authorization result handler leaves the refused policy.</summary>
    public const string RefusedPolicyItem = "archive.refused-policy";

    /// <summary>Fills a bare framework problem (called from <c>ProblemDetailsOptions.CustomizeProblemDetails</c>).</summary>
    public static void Describe(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("errors") || problem.Status is not { } status
            || (problem.Type is { } type && !type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal)))
        {
            return;
        }

        var http = context.HttpContext;
        if (!IsArchiveOrUnmatched(http, status))
        {
            return;
        }

        var request = http.Request;
        var credentials = request.Headers.ContainsKey(ArchiveAuthenticationDefaults.ApiKeyHeader) || request.Headers.ContainsKey("Authorization");
        (string Family, string Title, string Field, string Rule, string Message)? shape = status switch
        {
            StatusCodes.Status400BadRequest => ("request", "Bad request", "request", "request.unreadable", "The request could not be read."),
            StatusCodes.Status401Unauthorized when credentials => ("authentication", "Authentication failed", "credentials", "authentication.failed",
                "The API key or bearer token was not accepted (unknown, revoked, expired or not valid for this server)."),
            StatusCodes.Status401Unauthorized => ("authentication", "Authentication required", "credentials", "authentication.required",
                "Send an API key (X-Api-Key) or a bearer token (Authorization: Bearer …)."),
            StatusCodes.Status403Forbidden => ("forbidden", "Forbidden", "role", "authorization.role", Forbidden(http)),
            StatusCodes.Status404NotFound => ("not-found", "Not found", "path", "route.not-found", "Nothing is served at this address."),
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", "Method not allowed", "method", "method.not-allowed",
                $"{request.Method} is not allowed here; the Allow header lists the methods that are."),
            StatusCodes.Status406NotAcceptable => ("request", "Not acceptable", "Accept", "media-type.not-acceptable", "None of the media types in Accept can be produced."),
            StatusCodes.Status411LengthRequired => ("request", "Length required", "Content-Length", "content-length.required", "Send Content-Length."),
            StatusCodes.Status413PayloadTooLarge => ("too-large", "Content too large", "body", "content.too-large", "The request body is larger than the limit; nothing was stored."),
            StatusCodes.Status415UnsupportedMediaType => ("request", "Unsupported media type", "Content-Type", "media-type.unsupported", $"This endpoint does not read '{request.ContentType ?? "none"}'."),
            StatusCodes.Status429TooManyRequests => ("rate-limit", "Too many requests", "request", "rate-limit", "Too many requests from this client; retry after the time in Retry-After."),
            _ => null,
        };
        if (shape is not { } s)
        {
            return;
        }

        problem.Type = ArchiveProblems.TypePrefix + s.Family;
        problem.Title = s.Title;
        problem.Detail ??= s.Message;
        problem.Instance ??= request.Path.Value;
        problem.Extensions["errors"] = new List<FieldError>
        {
            new()
            {
                Field = s.Field,
                Rule = s.Rule,
                Message = s.Message,
                Arguments = new Dictionary<string, string?>
                {
                    ["method"] = request.Method,
                    ["contentType"] = request.ContentType,
                    ["policy"] = http.Items.TryGetValue(RefusedPolicyItem, out var policy) ? policy as string : null,
                },
            },
        };
    }

    /// <summary>An Archive endpoint, no endpoint at all (route 404), or routing's 405; not the host's own endpoints.</summary>
    private static bool IsArchiveOrUnmatched(HttpContext http, int status)
    {
        var endpoint = http.GetEndpoint() ?? http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;
        return endpoint is null || endpoint.Metadata.GetMetadata<ArchiveEndpointMetadata>() is not null || status == StatusCodes.Status405MethodNotAllowed;
    }

    private static string Forbidden(HttpContext http)
        => http.Items.TryGetValue(RefusedPolicyItem, out var policy) && policy is string name
            ? $"The caller's roles do not satisfy the policy {name} (roles: {string.Join(", ", Security.ArchivePolicyRoles.RolesOf(name))})."
            : "The caller's roles do not allow this operation.";

    /// <summary>
    /// Middleware: an error answer with no body — from the authentication challenge or forbid, routing (no endpoint,
    /// 405), or an Archive endpoint — is written as a problem through <see cref="IProblemDetailsService"/> (when the
    /// client accepts JSON). The host's own endpoints are left alone.
    /// </summary>
    public static async Task WriteBareErrorsAsync(HttpContext http, Func<Task> next)
    {
        await next().ConfigureAwait(false);
        var response = http.Response;
        if (response.HasStarted || response.StatusCode < 400 || response.StatusCode >= 600
            || response.ContentLength is > 0 || !string.IsNullOrEmpty(response.ContentType)
            || http.RequestServices.GetService<IProblemDetailsService>() is not { } problems)
        {
            return;
        }

        if (!IsArchiveOrUnmatched(http, response.StatusCode))
        {
            return;
        }

        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = response.StatusCode },
        }).ConfigureAwait(false);
    }
}
