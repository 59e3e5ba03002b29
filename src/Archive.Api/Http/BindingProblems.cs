using System.Globalization;
using Archive.Api.Contracts;
using Archive.Api.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Archive.Api.Http;

/// <summary>
/// Names the parameter and the rule when the framework refused to bind a route or query value of an Archive endpoint
/// (<c>?pageSize=abc</c>, <c>asOf=2022-13-45</c>): the framework answers 400 before the endpoint runs, with a bare
/// problem; this adds <c>errors: [{field, rule: "parameter.format", message}]</c> from the endpoint's own parameter
/// metadata. Runs for every problem written through <see cref="IProblemDetailsService"/> (status-code pages, exception
/// handler); other endpoints are left alone.
/// </summary>
internal static class BindingProblems
{
    public static void Describe(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        // In the exception handler's re-execution the endpoint is cleared; the feature keeps the one that threw.
        var endpoint = context.HttpContext.GetEndpoint()
            ?? context.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;
        if (problem.Status != StatusCodes.Status400BadRequest || problem.Extensions.ContainsKey("errors")
            || endpoint?.Metadata.GetMetadata<ArchiveEndpointMetadata>() is null)
        {
            return;
        }

        var request = context.HttpContext.Request;
        var errors = new List<FieldError>();
        foreach (var parameter in endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>())
        {
            var type = parameter.ParameterInfo.ParameterType;
            var element = type.IsArray ? type.GetElementType()! : type;
            element = Nullable.GetUnderlyingType(element) ?? element;
            IEnumerable<string?> values = request.RouteValues.TryGetValue(parameter.Name, out var routeValue)
                ? [routeValue?.ToString()]
                : request.Query.TryGetValue(parameter.Name, out var query) ? query.ToArray() : [];
            foreach (var value in values)
            {
                if (value is not null && Describe(element) is { } expected && !Parses(element, value))
                {
                    errors.Add(new FieldError
                    {
                        Field = parameter.Name,
                        Rule = "parameter.format",
                        Message = $"'{Shorten(value)}' is not {expected}.",
                        Arguments = new Dictionary<string, string?> { ["value"] = Shorten(value), ["expected"] = expected },
                    });
                    break;
                }
            }
        }

        if (errors.Count == 0)
        {
            return;
        }

        problem.Type = "urn:archive:problem:request";
        problem.Title = "Bad request";
        problem.Detail = string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}"));
        problem.Extensions["errors"] = errors;
    }

    private static string? Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(DateOnly) => "a date (yyyy-MM-dd)",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time (ISO 8601)",
        _ when type == typeof(Guid) => "a GUID",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => null,
    };

    private static bool Parses(Type type, string value) => type switch
    {
        _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(long) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(double) || type == typeof(float) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(decimal) => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(bool) => bool.TryParse(value, out _),
        _ when type == typeof(DateOnly) => DateOnly.TryParse(value, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        _ when type == typeof(DateTime) => DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        _ when type == typeof(Guid) => Guid.TryParse(value, out _),
        _ when type.IsEnum => Enum.TryParse(type, value, ignoreCase: true, out _),
        _ => true,
    };

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
