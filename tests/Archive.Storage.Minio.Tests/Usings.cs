global using Moq;
global using Xunit;
