namespace Archive;

/// <summary>Base type of every exception Archive throws on purpose.</summary>
public class ArchiveException : Exception
{
    /// <summary>Creates an exception.</summary>
    public ArchiveException() { }

    /// <summary>Creates an exception with a message.</summary>
    public ArchiveException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public ArchiveException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>One broken rule: the field it concerns, the rule's identifier and a readable message.</summary>
/// <param name="Field">The input field (e.g. <c>key</c>, <c>fileCode</c>, <c>documents[2].codeNumber</c>).</param>
/// <param name="Rule">A stable rule identifier (e.g. <c>key.dot-segment</c>) a client can switch on.</param>
/// <param name="Message">What is wrong, for a person.</param>
public sealed record ValidationError(string Field, string Rule, string Message);

/// <summary>Input was rejected before anything was changed. Carries every broken rule.</summary>
public class ArchiveValidationException : ArchiveException
{
    /// <summary>Creates the exception for one broken rule.</summary>
    public ArchiveValidationException(string field, string rule, string message)
        : this([new ValidationError(field, rule, message)])
    {
    }

    /// <summary>Creates the exception for several broken rules.</summary>
    public ArchiveValidationException(IReadOnlyList<ValidationError> errors)
        : base(BuildMessage(errors))
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("At least one validation error is required.", nameof(errors));
        }

        Errors = errors;
    }

    /// <summary>The broken rules, in the order they were found.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message} [{e.Rule}]"));
    }
}
