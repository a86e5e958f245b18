"""What a signed-in customer reads and changes about themself: `me`, `updateMe`,
`setMyConsent`."""
