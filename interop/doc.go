// Package interop proves that the official Huawei Cloud Go SDK
// (huaweicloud-sdk-go-v3, dli v1 client, AK/SK credentials) works against
// this project's mock server with signature checking on. It is a module of
// its own so the main module never depends on the SDK.
package interop
