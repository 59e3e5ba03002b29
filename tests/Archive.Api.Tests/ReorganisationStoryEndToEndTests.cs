namespace Archive.Api.Tests;

/// <summary>Placeholder until the client is generated.</summary>
public sealed class ReorganisationStoryEndToEndTests
{
}
