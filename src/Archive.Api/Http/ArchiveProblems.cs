using System.Diagnostics;
using Archive.Api.Contracts;
using Archive.Packages;
using Archive.Search;
using Archive.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Archive.Api.Http;

/// <summary>
/// Maps Archive exceptions to RFC 9457 problem details. Every problem carries <c>errors: [{field, rule, message}]</c>
/// (for validation, every broken rule) and <c>traceId</c>; never a stack trace. Title, detail and messages are in the
/// request's language (<c>Accept-Language</c> <c>vi</c> or <c>en</c>, else <see cref="ArchiveApiOptions.DefaultProblemLanguage"/>).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>400</term><description>malformed request: JSON syntax, JSON shape (missing required member, wrong type, nesting deeper than 64), bad query value.</description></item>
/// <item><term>403</term><description><see cref="ArchiveAccessDeniedException"/>: the engine's access policy refused (another agency's custody, administrators or staff only).</description></item>
/// <item><term>404</term><description><see cref="ArchiveNotFoundException"/> (also what the access policy answers for a record file out of the caller's scope).</description></item>
/// <item><term>409</term><description><see cref="ArchiveConflictException"/> (duplicate code, closed fonds, legal hold, job running).</description></item>
/// <item><term>412</term><description><see cref="ArchivePreconditionFailedException"/> (If-Match is not the current version).</description></item>
/// <item><term>413</term><description><see cref="ContentTooLargeException"/> or a request body over the limit.</description></item>
/// <item><term>415</term><description>wrong Content-Type.</description></item>
/// <item><term>416</term><description>unsatisfiable Range.</description></item>
/// <item><term>422</term><description><see cref="ArchiveValidationException"/>: well-formed input that breaks a rule.</description></item>
/// <item><term>428</term><description>If-Match missing on a replacing update.</description></item>
/// <item><term>500</term><description><see cref="PackageCorruptException"/>: a stored content does not match its SHA-256 (type <c>integrity</c>, rule <c>content.integrity</c>); nothing was sent.</description></item>
/// <item><term>503</term><description>storage or search backend failure (details only in the server log); <see cref="SearchUnavailableException"/>: this host keeps no search index (type and rule <c>search.unavailable</c>, the detail naming the setting).</description></item>
/// </list>
/// </remarks>
public static class ArchiveProblems
{
    /// <summary>Problem type URI prefix (each rule family has a stable type).</summary>
    public const string TypePrefix = "urn:archive:problem:";

    /// <summary>Maps a known exception to a problem result; null when the exception is not one Archive maps.</summary>
    public static ProblemHttpResult? FromException(Exception exception, HttpContext? httpContext = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            ApiRequestException e => Create(e.StatusCode, Title(e.StatusCode), e.Message, "request", [new FieldError { Field = e.Field, Rule = e.Rule, Message = e.Message }], httpContext),
            ArchiveAccessDeniedException e => Create(StatusCodes.Status403Forbidden, Title(StatusCodes.Status403Forbidden), e.Message, "request", [new FieldError { Field = e.Field, Rule = e.Rule, Message = e.Message }], httpContext),
            ContentTooLargeException e => Create(StatusCodes.Status413PayloadTooLarge, "Content too large", e.Message, "too-large", [.. Errors(e.Errors).Select(f => f with { Arguments = new Dictionary<string, string?> { ["limit"] = e.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) } })], httpContext, new() { ["limit"] = e.Limit }),
            ArchiveValidationException e => Create(StatusCodes.Status422UnprocessableEntity, "The request breaks validation rules", e.Message, "validation", Errors(e.Errors), httpContext),
            ArchiveNotFoundException e => Create(StatusCodes.Status404NotFound, "Not found", e.Message, "not-found", [new FieldError { Field = e.Entity, Rule = "not-found", Message = e.Message, Arguments = new Dictionary<string, string?> { ["entity"] = e.Entity, ["id"] = e.Id } }], httpContext),
            ArchiveConflictException e => Create(StatusCodes.Status409Conflict, "Conflict with the current state", e.Message, "conflict", [new FieldError { Field = e.Entity, Rule = e.Rule, Message = e.Message, Arguments = new Dictionary<string, string?> { ["entity"] = e.Entity, ["id"] = e.Id } }], httpContext),
            ArchivePreconditionFailedException e => Create(StatusCodes.Status412PreconditionFailed, "Precondition failed", e.Message, "precondition-failed", [new FieldError { Field = "If-Match", Rule = "version.mismatch", Message = e.Message, Arguments = new Dictionary<string, string?> { ["currentVersion"] = e.ActualVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) } }], httpContext, new() { ["currentVersion"] = e.ActualVersion, ["currentETag"] = ETags.ForVersion(e.ActualVersion) }),
            PackageConcurrencyException e => Create(StatusCodes.Status409Conflict, "Concurrent change", "Another change was committed at the same time; reload and retry.", "conflict", [new FieldError { Field = "version", Rule = "version.concurrent-change", Message = e.Message }], httpContext),
            BadHttpRequestException e when e.StatusCode == StatusCodes.Status413PayloadTooLarge => Create(StatusCodes.Status413PayloadTooLarge, "Content too large", "The request body is larger than the limit; nothing was stored.", "too-large", [new FieldError { Field = "body", Rule = "content.too-large", Message = "The request body is larger than the limit." }], httpContext),
            BadHttpRequestException e => Create(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, "Bad request", "The request could not be read.", "request", [new FieldError { Field = "body", Rule = "request.unreadable", Message = "The request could not be read." }], httpContext),
            PackageCorruptException e => Create(StatusCodes.Status500InternalServerError, "Stored content is damaged", e.Message, "integrity", [new FieldError { Field = "content", Rule = "content.integrity", Message = e.Message }], httpContext),
            SearchUnavailableException e => Create(StatusCodes.Status503ServiceUnavailable, "Search unavailable", e.Message, "search.unavailable", [new FieldError { Field = "search", Rule = "search.unavailable", Message = e.Message }], httpContext),
            ArchiveStorageException or ArchiveSearchException => Create(StatusCodes.Status503ServiceUnavailable, "Backend unavailable", "Storage or search failed; nothing was changed if the request was refused. See the server log (trace id).", "backend", [new FieldError { Field = exception is ArchiveSearchException ? "search" : "storage", Rule = "backend.failure", Message = "The backend failed." }], httpContext),
            _ => null,
        };
    }

    /// <summary>A 500 problem that reveals nothing but the trace id.</summary>
    public static ProblemHttpResult Unexpected(HttpContext? httpContext = null)
        => Create(StatusCodes.Status500InternalServerError, "Unexpected error", "An unexpected error occurred; see the server log (trace id).", "unexpected", [], httpContext);

    /// <summary>Builds a problem result with the <c>errors</c> and <c>traceId</c> extensions.</summary>
    public static ProblemHttpResult Create(int status, string title, string detail, string type, IReadOnlyList<FieldError> errors, HttpContext? httpContext = null, Dictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = TypePrefix + type,
            Instance = httpContext?.Request.Path.Value,
        };
        problem.Extensions["errors"] = errors;
        problem.Extensions["traceId"] = Activity.Current?.Id ?? httpContext?.TraceIdentifier;
        if (extensions is not null)
        {
            foreach (var (k, v) in extensions)
            {
                problem.Extensions[k] = v;
            }
        }

        if (httpContext is not null)
        {
            // Title, detail and messages in the request's language (rule ids, type, fields and status stay as they are).
            ProblemCatalogue.Localize(problem, httpContext);
        }

        return TypedResults.Problem(problem);
    }

    private static List<FieldError> Errors(IReadOnlyList<ValidationError> errors)
        => errors.Select(e => new FieldError { Field = RestField(e.Field), Rule = e.Rule, Message = e.Message }).ToList();

    /// <summary>
    /// An engine field path as the REST contract spells it: the document's signer is one object in the engine
    /// (<c>signerInfo.position</c>) and two flat members in the DTOs (<c>signerPosition</c>, <c>signerFullName</c>).
    /// </summary>
    private static string RestField(string field)
        => field.EndsWith("signerInfo.position", StringComparison.Ordinal) ? field[..^"signerInfo.position".Length] + "signerPosition"
            : field.EndsWith("signerInfo.fullName", StringComparison.Ordinal) ? field[..^"signerInfo.fullName".Length] + "signerFullName"
            : field;

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        404 => "Not found",
        409 => "Conflict with the current state",
        412 => "Precondition failed",
        413 => "Content too large",
        415 => "Unsupported media type",
        416 => "Range not satisfiable",
        422 => "The request breaks validation rules",
        428 => "Precondition required",
        _ => "Request refused",
    };
}
