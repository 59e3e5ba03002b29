using Microsoft.AspNetCore.Http;

namespace Archive.Api.Http;

/// <summary>
/// The HTTP request itself is unusable (malformed JSON, wrong media type, missing precondition, unsatisfiable range,
/// body too large...). Thrown inside Archive.Api endpoints and turned into a problem response with
/// <see cref="StatusCode"/>; nothing has been changed.
/// </summary>
public sealed class ApiRequestException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">HTTP status to answer with (4xx).</param>
    /// <param name="field">The request part concerned (e.g. <c>body</c>, <c>If-Match</c>, <c>Range</c>, a JSON path).</param>
    /// <param name="rule">A stable rule identifier.</param>
    /// <param name="message">What is wrong, for a person.</param>
    /// <param name="innerException">The cause.</param>
    public ApiRequestException(int statusCode, string field, string rule, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Field = field;
        Rule = rule;
    }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>The request part concerned.</summary>
    public string Field { get; }

    /// <summary>The rule identifier.</summary>
    public string Rule { get; }

    internal static ApiRequestException BadRequest(string field, string rule, string message, Exception? inner = null)
        => new(StatusCodes.Status400BadRequest, field, rule, message, inner);
}
